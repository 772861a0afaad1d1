package dev.jprocs.cluster;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.config.ClientNetworkConfig;
import java.time.Duration;
import java.util.List;

/**
 * How a coordinator connects to a jprocs cluster as a Hazelcast client: to the given addresses
 * only (no discovery), with the members' cluster name, giving up after {@code connectTimeout}
 * rather than retrying forever, and without a JVM shutdown hook of its own (the pool shuts the
 * client down after its workers, also on Ctrl-C).
 *
 * @param addresses {@code HOST[:PORT]} of one or more members (port 5701 when left out)
 * @param clusterName the members' cluster name
 * @param connectTimeout how long to try before the connection fails
 */
public record ClientSettings(List<String> addresses, String clusterName, Duration connectTimeout) {
  public ClientSettings {
    addresses = List.copyOf(addresses);
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("--cluster needs at least one HOST[:PORT]");
    }
    if (clusterName == null || clusterName.isBlank()) {
      throw new IllegalArgumentException("the cluster name must not be empty");
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("the cluster connect timeout must be positive, got "
          + connectTimeout);
    }
  }

  /** The Hazelcast client configuration. */
  public ClientConfig toHazelcastConfig() {
    ClientConfig config = new ClientConfig();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    // What a member answers is deserialized here too: the same allow-list as on members.
    config.getSerializationConfig()
        .setJavaSerializationFilterConfig(MemberSettings.javaSerializationFilter());
    ClientNetworkConfig network = config.getNetworkConfig();
    network.setAddresses(addresses);
    network.getAutoDetectionConfig().setEnabled(false);
    network.setConnectionTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    config.getConnectionStrategyConfig().getConnectionRetryConfig()
        .setClusterConnectTimeoutMillis(connectTimeout.toMillis())
        .setInitialBackoffMillis(200)
        .setMaxBackoffMillis(1000);
    return config;
  }
}
