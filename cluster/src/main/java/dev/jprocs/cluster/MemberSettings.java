package dev.jprocs.cluster;

import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import java.util.List;
import java.util.Objects;

/**
 * How a jprocs cluster member listens and whom it joins, and the Hazelcast configuration that
 * follows: TCP/IP join with the given members only, no multicast, no auto-detection of cloud
 * environments, no phone-home, bound to one interface and one port.
 *
 * @param join the members to join, {@code HOST[:PORT]} (port 5701 when left out); this member's
 *     own address may be among them
 * @param bindInterface the IP address of the one interface this member listens on
 * @param port the port it listens on; no other port is tried
 * @param clusterName the cluster to join; a name, not a secret
 * @param threads how many chunks this member runs at once
 * @param failureSeconds how long a silent member stays in the cluster before it is dropped
 */
public record MemberSettings(List<String> join, String bindInterface, int port, String clusterName,
    int threads, int failureSeconds) {

  /** The executor that runs chunks, {@link #threads} at a time. */
  public static final String CHUNK_EXECUTOR = "jprocs-chunks";
  /** The executor that answers hellos, so a hello never waits behind long chunks. */
  public static final String CONTROL_EXECUTOR = "jprocs-control";
  /** The member attribute that holds the member JVM's pid. */
  public static final String PID_ATTRIBUTE = "jprocs.pid";
  /** The member attribute that holds {@link #threads}: how many slots a coordinator opens on it. */
  public static final String THREADS_ATTRIBUTE = "jprocs.threads";
  /** The port a member listens on when none is given. */
  public static final int DEFAULT_PORT = 5701;
  /** The cluster name when none is given. */
  public static final String DEFAULT_CLUSTER_NAME = "jprocs";

  public MemberSettings {
    join = List.copyOf(join);
    if (join.isEmpty()) {
      throw new IllegalArgumentException("--join needs at least one HOST[:PORT]");
    }
    Objects.requireNonNull(bindInterface, "bindInterface");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("--port must be between 1 and 65535, got " + port);
    }
    if (clusterName == null || clusterName.isBlank()) {
      throw new IllegalArgumentException("--cluster-name must not be empty");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
    }
    if (failureSeconds < 2) {
      throw new IllegalArgumentException("--failure-seconds must be at least 2, got " + failureSeconds);
    }
  }

  /**
   * What Java deserialization accepts, on members and on the coordinator's client: jprocs's own
   * calls and answers (this package's {@link RunChunk}, {@link SayHello}, {@link ChunkAnswer}),
   * and Hazelcast's defaults, its own classes and the JDK's ({@code java}, {@code javax}, arrays)
   * without the known gadget classes of its blacklist. Any other class, such as a {@code Callable}
   * of someone else's jar sent by a client that reached the port, is refused before it is built.
   *
   * <p>Why a filter and not a serialization of our own (IdentifiedDataSerializable): a member
   * deserializes whatever Java-serialized object a client sends it unless a filter says no, so the
   * filter is the protection either way, and with it the three small classes stay plain records.
   */
  public static JavaSerializationFilterConfig javaSerializationFilter() {
    return new JavaSerializationFilterConfig()
        .setWhitelist(new ClassFilter().addClasses(RunChunk.class.getName(),
            SayHello.class.getName(), ChunkAnswer.class.getName()));
  }

  /** The Hazelcast member configuration; {@code pid} is published as a member attribute. */
  public Config toHazelcastConfig(long pid) {
    Config config = new Config();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // Listen on the configured interface only, not on every address of the host.
    config.setProperty("hazelcast.socket.bind.any", "false");
    // A member SIGKILLed is noticed in seconds, not the default minute.
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(failureSeconds));
    // Start quickly, and heal quickly if two members that started together each formed a cluster.
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    config.setProperty("hazelcast.shutdownhook.policy", "GRACEFUL");

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(port).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).setInterfaces(List.of(bindInterface));
    JoinConfig joinConfig = network.getJoin();
    joinConfig.getMulticastConfig().setEnabled(false);
    joinConfig.getAutoDetectionConfig().setEnabled(false);
    joinConfig.getTcpIpConfig().setEnabled(true).setMembers(join);

    config.getSerializationConfig().setJavaSerializationFilterConfig(javaSerializationFilter());
    config.getExecutorConfig(CHUNK_EXECUTOR).setPoolSize(threads).setStatisticsEnabled(false);
    config.getExecutorConfig(CONTROL_EXECUTOR).setPoolSize(1).setStatisticsEnabled(false);
    config.getMemberAttributeConfig()
        .setAttribute(PID_ATTRIBUTE, Long.toString(pid))
        .setAttribute(THREADS_ATTRIBUTE, Integer.toString(threads));
    return config;
  }
}
