package dev.jprocs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The member and client configurations: they join and listen only where told. No cluster runs. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MemberSettingsTest {
  private final MemberSettings settings = new MemberSettings(
      List.of("10.0.0.1:5701", "10.0.0.2"), "10.0.0.1", 5801, "lab", 3, 7);

  @Test
  void memberJoinsOnlyTheListedMembersOverTcpIp() {
    JoinConfig join = settings.toHazelcastConfig(42).getNetworkConfig().getJoin();
    assertFalse(join.getMulticastConfig().isEnabled(), "multicast off");
    assertFalse(join.getAutoDetectionConfig().isEnabled(), "auto-detection off");
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(List.of("10.0.0.1:5701", "10.0.0.2"), join.getTcpIpConfig().getMembers());
    assertFalse(join.getAwsConfig().isEnabled() || join.getKubernetesConfig().isEnabled()
        || join.getDiscoveryConfig().isEnabled(), "no discovery");
  }

  @Test
  void memberListensOnOneInterfaceAndPortWithoutPhoningHome() {
    Config config = settings.toHazelcastConfig(42);
    assertTrue(config.getNetworkConfig().getInterfaces().isEnabled());
    assertEquals(List.of("10.0.0.1"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
    assertEquals(5801, config.getNetworkConfig().getPort());
    assertFalse(config.getNetworkConfig().isPortAutoIncrement(), "no other port is tried");
    assertEquals("false", config.getProperty("hazelcast.socket.bind.any"));
    assertEquals("false", config.getProperty("hazelcast.phone.home.enabled"));
    assertEquals("7", config.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals("lab", config.getClusterName());
  }

  @Test
  void memberPublishesItsPidAndThreadsAndRunsThatManyChunks() {
    Config config = settings.toHazelcastConfig(42);
    assertEquals("42", config.getMemberAttributeConfig().getAttribute(MemberSettings.PID_ATTRIBUTE));
    assertEquals("3", config.getMemberAttributeConfig().getAttribute(MemberSettings.THREADS_ATTRIBUTE));
    assertEquals(3, config.getExecutorConfig(MemberSettings.CHUNK_EXECUTOR).getPoolSize());
  }

  @Test
  void badSettingsAreRefusedNamingTheOption() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> new MemberSettings(List.of(), "127.0.0.1", 5701, "jprocs", 1, 10));
    assertTrue(e.getMessage().contains("--join"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new MemberSettings(List.of("a"), "127.0.0.1", 5701, "jprocs", 0, 10));
    assertTrue(e.getMessage().contains("--threads"), e.getMessage());
  }

  @Test
  void clientConnectsOnlyToTheGivenAddressesAndGivesUpInTime() {
    ClientConfig config = new ClientSettings(List.of("10.0.0.1:5701"), "lab", Duration.ofSeconds(3))
        .toHazelcastConfig();
    assertEquals(List.of("10.0.0.1:5701"), config.getNetworkConfig().getAddresses());
    assertFalse(config.getNetworkConfig().getAutoDetectionConfig().isEnabled());
    assertEquals("lab", config.getClusterName());
    assertEquals(3000, config.getConnectionStrategyConfig().getConnectionRetryConfig()
        .getClusterConnectTimeoutMillis());
    assertEquals("false", config.getProperty("hazelcast.shutdownhook.enabled"));
  }
}
