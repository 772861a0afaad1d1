package dev.jprocs.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.jprocs.coordinator.control.PoolCommands;
import dev.jprocs.coordinator.testing.ClusterMembers;
import dev.jprocs.coordinator.testing.NoChildProcesses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cluster backend against a real Hazelcast cluster on the loopback interface: member JVMs
 * started by the test, a pool connected to them as a client, members SIGKILLed and added mid-run.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
@ExtendWith(NoChildProcesses.class)
class ClusterPoolTest {
  /** What the pool said, by member pid. */
  private final Set<Long> sentToPids = ConcurrentHashMap.newKeySet();
  private final Set<Long> answeredByPids = ConcurrentHashMap.newKeySet();
  private final List<String> deaths = new CopyOnWriteArrayList<>();
  private final List<WorkerExit> deadExits = new CopyOnWriteArrayList<>();
  private final List<String> retries = new CopyOnWriteArrayList<>();
  private final PoolEvents recorder = new PoolEvents() {
    @Override
    public void taskSent(String workerId, long pid, long taskId, String task, long firstRank,
        int count, int attempt) {
      sentToPids.add(pid);
    }

    @Override
    public void resultReceived(String workerId, long pid, long taskId, int attempt, int outputs,
        int errors) {
      answeredByPids.add(pid);
    }

    @Override
    public void workerDied(WorkerExit exit, String description) {
      deaths.add(description);
      deadExits.add(exit);
    }

    @Override
    public void taskRetried(long taskId, String task, long firstRank, int count, String reason) {
      retries.add(reason);
    }
  };
  private ClusterMembers cluster;

  @AfterEach
  void killMembers() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private PoolConfig.Builder config() {
    return PoolConfig.builder()
        .cluster(cluster.addresses())
        .clusterName(cluster.clusterName())
        .clusterConnectTimeout(Duration.ofSeconds(20))
        .events(recorder)
        .shutdownGrace(Duration.ofSeconds(10));
  }

  @Test
  void jobOnTwoMembersComesBackInRankOrderEachResultOnce() throws Exception {
    cluster = new ClusterMembers(2, 2);
    cluster.start(2);
    List<Integer> inputs = IntStream.range(0, 3000).boxed().toList();
    List<Long> expected = inputs.stream().map(x -> (long) x * x).toList();
    try (Pool pool = Pool.start(config().build())) {
      assertEquals(4, pool.workers().size(), "two slots on each of two 2-thread members");
      assertEquals(expected, pool.map(TaskSpec.of("square"), inputs, Long.class, 10));
      assertEquals(expected, pool.map("square", inputs, Long.class)); // automatic chunk size
    }
    Set<Long> memberPids = Set.of(cluster.members().get(0).pid(), cluster.members().get(1).pid());
    assertEquals(memberPids, answeredByPids, "both members answered chunks");
    assertTrue(deaths.isEmpty(), "no worker died: " + deaths);
  }

  @Test
  void memberSigkilledMidRunLosesNoResult() throws Exception {
    cluster = new ClusterMembers(2, 2);
    cluster.start(2);
    ClusterMembers.Member victim = cluster.members().get(1);
    List<Double> inputs = Collections.nCopies(120, 0.05);
    try (Pool pool = Pool.start(config().build())) {
      CompletableFuture<List<TaskResult>> run = CompletableFuture.supplyAsync(() -> {
        List<TaskResult> all = new ArrayList<>();
        pool.results(TaskSpec.of("sleep"), inputs, 2).forEachRemaining(all::add);
        return all;
      });
      await("the victim to have answered a chunk").atMost(Duration.ofSeconds(30))
          .until(() -> answeredByPids.contains(victim.pid()));
      assertFalse(run.isDone(), "the job is still running when the member is killed");
      ProcessHandle.of(victim.pid()).orElseThrow().destroyForcibly();

      List<TaskResult> results = run.get(60, TimeUnit.SECONDS);
      assertEquals(inputs.size(), results.size());
      for (int rank = 0; rank < inputs.size(); rank++) {
        TaskResult result = results.get(rank);
        assertEquals((long) rank, result.rank());
        assertTrue(result.ok(), "rank " + rank + " failed: " + result.failure());
        assertEquals(0.05, result.output().get("seconds").asDouble());
      }
    }
    assertFalse(deaths.isEmpty(), "the killed member's slots died");
    assertTrue(deaths.stream().allMatch(d -> d.contains("127.0.0.1:" + victim.port())
        && d.contains("pid " + victim.pid())), "each death names the member: " + deaths);
    assertTrue(deaths.stream().anyMatch(d -> d.contains("it held task")),
        "a dead slot held work, which went elsewhere: " + deaths);
    assertFalse(retries.isEmpty(), "what the member held was sent again");
    String left = "member 127.0.0.1:" + victim.port() + " (pid " + victim.pid() + ") left the cluster";
    assertTrue(deadExits.stream().allMatch(exit -> exit.problem() != null
        && exit.problem().startsWith(left)), "each death's problem says the member left: " + deadExits);
  }

  @Test
  void killedSlotSaysItsMemberKeepsRunningAndListShowsTheMemberNotALocalProcess() throws Exception {
    cluster = new ClusterMembers(1, 2);
    ClusterMembers.Member member = cluster.start(1).get(0);
    try (Pool pool = Pool.start(config().build())) {
      JsonNode list = PoolCommands.of(pool).get("list").run(JsonNodeFactory.instance.objectNode());
      for (JsonNode row : list.path("workers")) {
        assertEquals(member.address(), row.path("member").asText(), row.toString());
        assertEquals(member.pid(), row.path("pid").asLong(), row.toString());
        assertTrue(row.path("rssBytes").isNull(), "no local /proc figure for a remote pid: " + row);
      }
      pool.killWorker("worker-0");
      await("the killed slot's death report").atMost(Duration.ofSeconds(30))
          .until(() -> !deaths.isEmpty());
      assertTrue(deaths.get(0).contains("member " + member.address() + " (pid " + member.pid()
          + ") keeps running"), deaths.get(0));
      await("a new slot on the same member").atMost(Duration.ofSeconds(30))
          .until(() -> pool.workers().stream().filter(WorkerInfo::ready).count() == 2);
      assertEquals(List.of(4L, 9L), pool.map("square", List.of(2, 3), Long.class),
          "the member still runs work");
    }
    assertTrue(member.process().isAlive(), "killing a slot left the member running");
  }

  @Test
  void everyMemberGoneMidRunEndsTheJobWithTheReasonAfterTheGraceInsteadOfHanging() throws Exception {
    cluster = new ClusterMembers(2, 1);
    cluster.start(2);
    List<Double> inputs = Collections.nCopies(400, 0.05);
    PoolConfig config = config().clusterConnectTimeout(Duration.ofSeconds(3)).build();
    try (Pool pool = Pool.start(config)) {
      CompletableFuture<List<TaskResult>> run = CompletableFuture.supplyAsync(() -> {
        List<TaskResult> all = new ArrayList<>();
        pool.results(TaskSpec.of("sleep"), inputs, 1).forEachRemaining(all::add);
        return all;
      });
      await("both members to have answered a chunk").atMost(Duration.ofSeconds(30))
          .until(() -> answeredByPids.size() == 2);
      cluster.members().forEach(m -> ProcessHandle.of(m.pid()).orElseThrow().destroyForcibly());

      List<TaskResult> results = run.get(60, TimeUnit.SECONDS);
      assertEquals(inputs.size(), results.size());
      String reason = pool.brokenReason();
      assertTrue(reason != null && reason.startsWith("no cluster member left for 3 s")
          && reason.contains("left at"), "the pool says why it stopped: " + reason);
      long ok = results.stream().filter(TaskResult::ok).count();
      assertTrue(ok > 0 && ok < inputs.size(), ok + " of " + inputs.size() + " finished");
      for (int rank = 0; rank < results.size(); rank++) {
        TaskResult result = results.get(rank);
        assertEquals((long) rank, result.rank());
        if (!result.ok()) {
          assertEquals(TaskFailure.Kind.CANCELLED, result.failure().kind(), result.failure().toString());
          assertTrue(result.failure().message().contains(reason), result.failure().message());
        }
      }
    }
  }

  @Test
  void memberStartedWithinTheGraceAfterTheLastOneDiedTakesTheWorkOn() throws Exception {
    cluster = new ClusterMembers(2, 1);
    ClusterMembers.Member first = cluster.start(1).get(0);
    List<Double> inputs = Collections.nCopies(150, 0.05);
    PoolConfig config = config().cluster(cluster.allAddresses())
        .clusterConnectTimeout(Duration.ofSeconds(40)).build();
    try (Pool pool = Pool.start(config)) {
      CompletableFuture<List<TaskResult>> run = CompletableFuture.supplyAsync(() -> {
        List<TaskResult> all = new ArrayList<>();
        pool.results(TaskSpec.of("sleep"), inputs, 1).forEachRemaining(all::add);
        return all;
      });
      await("the first member to have answered a chunk").atMost(Duration.ofSeconds(30))
          .until(() -> answeredByPids.contains(first.pid()));
      ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly();
      await("its slot's death").atMost(Duration.ofSeconds(30)).until(() -> !deaths.isEmpty());
      ClusterMembers.Member second = cluster.start(1).get(0);

      List<TaskResult> results = run.get(90, TimeUnit.SECONDS);
      assertTrue(results.stream().allMatch(TaskResult::ok), "every input finished");
      assertEquals(null, pool.brokenReason());
      assertTrue(answeredByPids.contains(second.pid()), "the new member took the work on");
    }
  }

  @Test
  void memberJoiningMidRunGetsWork() throws Exception {
    cluster = new ClusterMembers(2, 2);
    cluster.start(1);
    List<Double> inputs = Collections.nCopies(200, 0.05);
    try (Pool pool = Pool.start(config().build())) {
      assertEquals(2, pool.workers().size());
      CompletableFuture<List<TaskResult>> run = CompletableFuture.supplyAsync(() -> {
        List<TaskResult> all = new ArrayList<>();
        pool.results(TaskSpec.of("sleep"), inputs, 1).forEachRemaining(all::add);
        return all;
      });
      ClusterMembers.Member late = cluster.start(1).get(0);
      await("the new member's slots to be sent work").atMost(Duration.ofSeconds(30))
          .until(() -> sentToPids.contains(late.pid()));
      assertFalse(run.isDone(), "the job was still running when the new member got work");
      assertEquals(4, pool.workers().size(), "the new member's two slots joined the pool");
      List<TaskResult> results = run.get(60, TimeUnit.SECONDS);
      assertEquals(inputs.size(), results.size());
      assertTrue(results.stream().allMatch(TaskResult::ok));
      assertTrue(answeredByPids.contains(late.pid()), "the new member answered chunks");
    }
    assertTrue(deaths.isEmpty(), "no worker died: " + deaths);
  }

  @Test
  void nothingListeningAtTheClusterAddressIsAClearErrorNotAHang() {
    String address = "127.0.0.1:" + ClusterMembers.freePort();
    PoolConfig config = PoolConfig.builder().cluster(List.of(address)).clusterName("nobody-here")
        .clusterConnectTimeout(Duration.ofSeconds(2)).build();
    WorkerStartException e = assertThrows(WorkerStartException.class, () -> Pool.start(config));
    assertTrue(e.getMessage().contains(address) && e.getMessage().contains("nobody-here"),
        e.getMessage());
  }
}
