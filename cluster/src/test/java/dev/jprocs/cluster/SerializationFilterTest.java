package dev.jprocs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.cluster.Member;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.Message;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A member's Java deserialization allow-list, against a real member and client in this JVM on
 * the loopback interface: jprocs's own calls run, any other class is refused.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SerializationFilterTest {
  /** A call of a class outside the allow-list, as someone who reached the port might send. */
  static final class ForeignCall implements Callable<String>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public String call() {
      return "ran on the member";
    }
  }

  private static HazelcastInstance member;
  private static HazelcastInstance client;

  @BeforeAll
  static void startMemberAndClient() {
    int port = freePort();
    String name = "jprocs-filter-test-" + UUID.randomUUID();
    member = Hazelcast.newHazelcastInstance(new MemberSettings(List.of("127.0.0.1:" + port),
        "127.0.0.1", port, name, 1, 5).toHazelcastConfig(ProcessHandle.current().pid()));
    client = HazelcastClient.newHazelcastClient(new ClientSettings(List.of("127.0.0.1:" + port),
        name, Duration.ofSeconds(20)).toHazelcastConfig());
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.shutdown();
    }
    if (member != null) {
      member.shutdown();
    }
  }

  @Test
  void memberRefusesACallableOfAClassOutsideTheAllowListNamingIt() {
    IExecutorService executor = client.getExecutorService(MemberSettings.CHUNK_EXECUTOR);
    Member target = member.getCluster().getLocalMember();
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> executor.submitToMember(new ForeignCall(), target).get(30, TimeUnit.SECONDS));
    String message = String.valueOf(e.getCause());
    assertTrue(message.contains(ForeignCall.class.getName()) && message.contains("not allowed"),
        "the refusal names the class: " + message);
  }

  @Test
  void jprocsOwnCallStillRunsOnTheMember() throws Exception {
    IExecutorService executor = client.getExecutorService(MemberSettings.CONTROL_EXECUTOR);
    byte[] hello = executor.submitToMember(new SayHello("worker-0"),
        member.getCluster().getLocalMember()).get(30, TimeUnit.SECONDS);
    Message.Hello decoded = (Message.Hello) Codec.decode(hello);
    assertEquals("worker-0", decoded.workerId());
    assertEquals(Message.PROTOCOL_VERSION, decoded.protocol());
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
