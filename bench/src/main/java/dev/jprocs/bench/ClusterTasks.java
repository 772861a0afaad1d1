package dev.jprocs.bench;

import dev.jprocs.cluster.MemberMain;
import dev.jprocs.coordinator.Pool;
import dev.jprocs.coordinator.PoolConfig;
import dev.jprocs.coordinator.PoolEvents;
import dev.jprocs.coordinator.TaskSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Section {@code cluster}: the per-input cost of small tasks through the cluster backend. Two
 * cluster members of one thread each on the loopback interface (so two worker slots, as two local
 * workers), started once with {@code MemberMain} as {@code scripts/member.sh} does; squares at
 * chunksize 1, 100 and automatic through one started pool connected to them, against a pool of 2
 * local worker processes at the same chunk sizes. Loopback has no network latency to speak of: on
 * real machines add the round trip per chunk.
 */
final class ClusterTasks implements Section {
  private static final TaskSpec SQUARE = TaskSpec.of("square");
  private static final int[] CHUNKSIZES = {1, 100, 0};

  @Override
  public String name() {
    return "cluster";
  }

  @Override
  public void run(Bench bench) throws Exception {
    List<Integer> inputs = Bench.range(bench.singleTasks());
    String cluster = "jprocs-bench-" + ProcessHandle.current().pid();
    List<Integer> ports = List.of(freePort(), freePort());
    List<Process> members = new ArrayList<>();
    try {
      for (int port : ports) {
        members.add(member(bench, cluster, ports, port));
      }
      Map<Integer, List<Double>> remote = new LinkedHashMap<>();
      Map<Integer, List<Double>> local = new LinkedHashMap<>();
      PoolConfig clusterConfig = PoolConfig.builder()
          .cluster(ports.stream().map(p -> "127.0.0.1:" + p).toList()).clusterName(cluster)
          .events(new PoolEvents() {}).build();
      try (Pool onCluster = Pool.start(clusterConfig); Pool here = Bench.start(2)) {
        for (int chunksize : CHUNKSIZES) { // warm-up, unmeasured
          onCluster.map(SQUARE, inputs, Long.class, chunksize);
          here.map(SQUARE, inputs, Long.class, chunksize);
        }
        for (int run = 1; run <= bench.runs(); run++) {
          bench.progress("cluster: squares, run " + run + "/" + bench.runs());
          for (int chunksize : CHUNKSIZES) {
            remote.computeIfAbsent(chunksize, k -> new ArrayList<>())
                .add(perInputMicros(onCluster, inputs, chunksize));
            local.computeIfAbsent(chunksize, k -> new ArrayList<>())
                .add(perInputMicros(here, inputs, chunksize));
          }
        }
      }
      for (int chunksize : CHUNKSIZES) {
        String size = chunksize == 0 ? "auto chunksize" : "chunksize " + chunksize;
        Samples here = Samples.of(local.get(chunksize));
        bench.report().add(Figure.of(name(), "per-input cost, square x" + inputs.size() + ", " + size
                + ", 2 members x 1 thread on loopback, pool started", "us",
                Samples.of(remote.get(chunksize)))
            .against("2 local worker processes", here));
      }
    } finally {
      members.forEach(Process::destroyForcibly);
      for (Process member : members) {
        member.waitFor(20, TimeUnit.SECONDS);
      }
    }
  }

  private static double perInputMicros(Pool pool, List<Integer> inputs, int chunksize) {
    long start = System.nanoTime();
    pool.map(SQUARE, inputs, Long.class, chunksize);
    return (System.nanoTime() - start) / 1e3 / inputs.size();
  }

  /** Starts a member JVM as scripts/member.sh does and waits until it has joined its cluster. */
  private static Process member(Bench bench, String cluster, List<Integer> ports, int port)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(MemberMain.JVM_OPTIONS);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), MemberMain.class.getName(),
        "--join", String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList()),
        "--interface", "127.0.0.1", "--port", Integer.toString(port), "--cluster-name", cluster,
        "--threads", "1", "--exit-with-parent"));
    Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.PIPE).start();
    CountDownLatch joined = new CountDownLatch(1);
    Thread drain = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          if (line.startsWith("joined cluster")) {
            joined.countDown(); // wakes member() below
          }
        }
      } catch (IOException e) {
        bench.progress("cluster: member on port " + port + ": stderr closed: " + e);
      }
    }, "bench-member-" + port);
    drain.setDaemon(true);
    drain.start();
    if (!joined.await(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("the cluster member on port " + port + " did not join within 60 s");
    }
    return process;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
