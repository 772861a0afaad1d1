package dev.jprocs.coordinator.testing;

import static org.awaitility.Awaitility.await;

import dev.jprocs.cluster.MemberMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Real jprocs cluster members on the loopback interface for tests: member JVMs started the way
 * {@code scripts/member.sh} starts them (the same main class and flags, this JVM's classpath, so
 * the test tasks are there too), on free ports of 127.0.0.1, in a cluster of their own name.
 * {@link #close} kills every member it started. Not thread-safe: one test thread uses it.
 */
public final class ClusterMembers implements AutoCloseable {
  /** One member JVM and what it wrote to stderr. */
  public record Member(Process process, int port, List<String> stderr) {
    public long pid() {
      return process.pid();
    }

    public String address() {
      return "127.0.0.1:" + port;
    }
  }

  private final String clusterName = "jprocs-test-" + UUID.randomUUID();
  private final List<Integer> ports = new ArrayList<>();
  private final List<Member> members = new ArrayList<>();
  private final int threads;

  /** A cluster of up to {@code capacity} members of {@code threads} threads each; none started. */
  public ClusterMembers(int capacity, int threads) {
    this.threads = threads;
    for (int i = 0; i < capacity; i++) {
      ports.add(freePort());
    }
  }

  public String clusterName() {
    return clusterName;
  }

  /** The addresses a client connects to: those of the members started so far. */
  public List<String> addresses() {
    return members.stream().map(Member::address).toList();
  }

  /** The addresses of every member this cluster may start, started or not. */
  public List<String> allAddresses() {
    return ports.stream().map(p -> "127.0.0.1:" + p).toList();
  }

  public List<Member> members() {
    return List.copyOf(members);
  }

  /** Starts the next {@code count} members at once and waits until each has joined the cluster. */
  public List<Member> start(int count) {
    List<Member> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      started.add(launch(ports.get(members.size())));
    }
    for (Member member : started) {
      await("member on port " + member.port() + " to join the cluster")
          .atMost(Duration.ofSeconds(40))
          .pollInterval(Duration.ofMillis(50))
          .failFast("the member on port " + member.port() + " exited: " + member.stderr(),
              () -> !member.process().isAlive())
          .until(() -> member.stderr().stream().anyMatch(l -> l.startsWith("joined cluster")));
    }
    return started;
  }

  private Member launch(int port) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(MemberMain.JVM_OPTIONS);
    command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        MemberMain.class.getName(),
        "--join", String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList()),
        "--interface", "127.0.0.1", "--port", Integer.toString(port),
        "--cluster-name", clusterName, "--threads", Integer.toString(threads),
        "--failure-seconds", "5", "--exit-with-parent"));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.PIPE);
    try {
      Process process = builder.start();
      List<String> stderr = new CopyOnWriteArrayList<>();
      Thread reader = new Thread(() -> drain(process, port, stderr), "member-" + port + "-stderr");
      reader.setDaemon(true);
      reader.start();
      Member member = new Member(process, port, stderr);
      members.add(member);
      return member;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a member JVM", e);
    }
  }

  private static void drain(Process process, int port, List<String> lines) {
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        lines.add(line);
        System.err.println("[member " + port + "] " + line);
      }
    } catch (IOException e) {
      System.err.println("[member " + port + "] stderr closed: " + e);
    }
  }

  /** A port of 127.0.0.1 that nothing listens on now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kills every member at once (SIGKILL) and waits for them to be gone. */
  @Override
  public void close() {
    members.forEach(m -> m.process().destroyForcibly());
    for (Member member : members) {
      await("member " + member.pid() + " to exit").atMost(Duration.ofSeconds(20))
          .until(() -> !member.process().isAlive());
    }
  }
}
