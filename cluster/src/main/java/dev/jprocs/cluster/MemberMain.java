package dev.jprocs.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.jprocs.worker.TaskRegistry;
import java.io.PrintStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/member.sh}: a jprocs cluster member, a Hazelcast member JVM that runs the chunks
 * coordinators started with {@code --cluster} send it, with the built-in tasks and those of its
 * {@code --classpath}. It runs until Ctrl-C or SIGTERM, then leaves the cluster gracefully
 * (Hazelcast's own shutdown hook, policy GRACEFUL). Everything it says goes to stderr.
 */
@Command(name = "member.sh", mixinStandardHelpOptions = true, version = "jprocs 0.1.0",
    sortOptions = false, usageHelpAutoWidth = true,
    description = {
        "Starts a jprocs cluster member: coordinators run jobs on the cluster with"
            + " `coordinator.sh --cluster HOST[:PORT],...`.",
        "The member joins only the members of --join over TCP/IP (no multicast, no discovery, no"
            + " phone-home) and listens only on --interface:--port. Anyone who can reach that port and"
            + " knows the cluster name can join or submit work: keep it on a private network (see README).",
        ""},
    footer = {"", "Runs until Ctrl-C or SIGTERM, then leaves the cluster gracefully. Exit status 2"
        + " for a bad command line, 1 when the member cannot start."})
public final class MemberMain implements Callable<Integer> {
  @Option(names = "--join", paramLabel = "HOST[:PORT]", split = ",", required = true,
      description = "The cluster's members (port 5701 when left out), this one may be among them;"
          + " ','-separated, repeatable. The first member started forms the cluster.")
  List<String> join = new ArrayList<>();

  @Option(names = "--interface", paramLabel = "IP", defaultValue = "127.0.0.1",
      description = "The IP address of the one interface to listen on (default: ${DEFAULT-VALUE},"
          + " this machine only; give the private address other machines reach).")
  String bindInterface;

  @Option(names = "--port", paramLabel = "N", defaultValue = "" + MemberSettings.DEFAULT_PORT,
      description = "The port to listen on; no other is tried (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--cluster-name", paramLabel = "NAME", defaultValue = MemberSettings.DEFAULT_CLUSTER_NAME,
      description = "The cluster to form or join; coordinators give the same --cluster-name."
          + " A name, not a password (default: ${DEFAULT-VALUE}).")
  String clusterName;

  @Option(names = "--threads", paramLabel = "N",
      description = "Chunks this member runs at once (default: available processors, ${DEFAULT-VALUE}).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--failure-seconds", paramLabel = "S", defaultValue = "10",
      description = "A member silent this long is dropped from the cluster (default: ${DEFAULT-VALUE};"
          + " a killed member's closed connections are usually noticed sooner).")
  int failureSeconds;

  @Option(names = "--classpath", paramLabel = "PATH", split = ":",
      description = "Jars or directories with more tasks (listed in META-INF/services/dev.jprocs.worker.Task);"
          + " ':'-separated, repeatable.")
  List<Path> classpath = new ArrayList<>();

  @Option(names = "--exit-with-parent", hidden = true,
      description = "Halt when the process that started this member ends (for tests).")
  boolean exitWithParent;

  /**
   * JVM flags for a member: Hazelcast's access to JDK internals (it warns, and runs slower,
   * without them), and the unified-logging flags that keep the JVM's own output off stdout.
   * {@code scripts/member.sh} passes the same.
   */
  public static final List<String> JVM_OPTIONS = List.of(
      "-Xlog:disable", "-Xlog:all=warning:stderr",
      "--add-modules", "java.se",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

  private final PrintStream stderr;

  MemberMain(PrintStream stderr) {
    this.stderr = stderr;
  }

  public static void main(String[] args) {
    // Hazelcast logs through SLF4J to stderr, with the member's own levels; stdout stays empty.
    System.setProperty("logback.configurationFile", "dev/jprocs/cluster/member-logback.xml");
    PrintStream stderr = System.err;
    System.setOut(stderr);
    CommandLine cli = new CommandLine(new MemberMain(stderr));
    cli.setErr(new java.io.PrintWriter(stderr, true));
    cli.setParameterExceptionHandler((e, ignoredArgs) -> {
      stderr.println("member.sh: " + e.getMessage() + " (see --help)");
      return 2;
    });
    int status = cli.execute(args);
    if (status != 0) {
      System.exit(status);
    }
  }

  @Override
  public Integer call() {
    MemberSettings settings;
    TaskRegistry tasks;
    try {
      settings = new MemberSettings(join, bindInterface, port, clusterName, threads, failureSeconds);
      tasks = MemberTasks.install(taskLoader(classpath));
    } catch (IllegalArgumentException | IllegalStateException e) {
      stderr.println("member.sh: " + e.getMessage());
      return 2;
    }
    if (exitWithParent) {
      ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
        stderr.println("member.sh: the process that started this member (pid " + parent.pid()
            + ") is gone; exiting");
        Runtime.getRuntime().halt(1);
      }));
    }
    HazelcastInstance member;
    try {
      member = Hazelcast.newHazelcastInstance(
          settings.toHazelcastConfig(ProcessHandle.current().pid()));
    } catch (RuntimeException e) {
      stderr.println("member.sh: the member could not start on " + bindInterface + ":" + port
          + ": " + e);
      return 1;
    }
    Member self = member.getCluster().getLocalMember();
    stderr.printf("jprocs member %s (pid %d) listening on %s, %d threads, tasks: %s%n",
        self.getUuid(), ProcessHandle.current().pid(), self.getAddress(), threads,
        String.join(", ", tasks.names()));
    stderr.printf("joined cluster '%s' with %d members: %s%n", clusterName,
        member.getCluster().getMembers().size(), member.getCluster().getMembers().stream()
            .map(m -> m.getAddress().toString()).toList());
    // Hazelcast's non-daemon threads keep the JVM up until its shutdown hook (Ctrl-C, SIGTERM)
    // leaves the cluster; the listener runs on that hook's thread, so it is heard before the exit.
    long pid = ProcessHandle.current().pid();
    member.getLifecycleService().addLifecycleListener(event -> {
      switch (event.getState()) {
        case SHUTTING_DOWN -> stderr.println("jprocs member (pid " + pid + ") leaving cluster '"
            + clusterName + "'");
        case SHUTDOWN -> stderr.println("jprocs member (pid " + pid + ") left cluster '"
            + clusterName + "'");
        default -> { }
      }
    });
    return 0;
  }

  private static ClassLoader taskLoader(List<Path> entries) {
    List<URL> urls = new ArrayList<>();
    for (Path entry : entries) {
      if (!Files.exists(entry)) {
        throw new IllegalArgumentException("classpath entry " + entry + " does not exist");
      }
      try {
        urls.add(entry.toAbsolutePath().toUri().toURL());
      } catch (MalformedURLException e) {
        throw new IllegalArgumentException("bad classpath entry " + entry + ": " + e.getMessage(), e);
      }
    }
    return urls.isEmpty() ? MemberMain.class.getClassLoader()
        : new URLClassLoader(urls.toArray(URL[]::new), MemberMain.class.getClassLoader());
  }
}
