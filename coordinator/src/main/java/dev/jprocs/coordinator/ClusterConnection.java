package dev.jprocs.coordinator;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.HazelcastClientNotActiveException;
import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.spi.exception.TargetDisconnectedException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import dev.jprocs.cluster.ClientSettings;
import dev.jprocs.cluster.MemberSettings;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's connection to a jprocs cluster ({@code --cluster}): a Hazelcast client, the members
 * it sees, and the worker slots on each ({@code worker-N}, numbered across the cluster; as many
 * per member as the member has threads). {@link WorkerLauncher} starts a slot's {@link MemberSlot}
 * through it, and asks it whether a slot that ended may be started again: not once its member is
 * gone.
 *
 * <p>Membership events arrive on Hazelcast's event threads: a member that joins gets new slots,
 * handed to the {@link #openSlots} callback (the supervisor starts them); a member that leaves
 * ends its slots at once ({@link MemberSlot#memberLeft}), which the supervisor handles as worker
 * deaths. All state is guarded by this object's monitor.
 */
final class ClusterConnection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterConnection.class);

  /** One member as the pool sees it: its slots, and whether it is gone. */
  static final class MemberEntry {
    private final Member member;
    private final long pid;
    private final List<String> slotIds = new ArrayList<>();
    private volatile boolean gone;
    private volatile Instant goneAt;

    MemberEntry(Member member) {
      this.member = member;
      this.pid = number(member.getAttribute(MemberSettings.PID_ATTRIBUTE), -1);
    }

    Member member() {
      return member;
    }

    long pid() {
      return pid;
    }

    /** How many slots a pool opens on it: the threads it runs chunks on. */
    int threads() {
      return (int) Math.max(1, number(member.getAttribute(MemberSettings.THREADS_ATTRIBUTE), 1));
    }

    /** Marks the member gone, from now: its slots are not started again. Any thread. */
    synchronized void gone() {
      if (!gone) {
        goneAt = Instant.now();
        gone = true;
      }
    }

    /** "127.0.0.1:5702". */
    String address() {
      return member.getAddress().getHost() + ":" + member.getAddress().getPort();
    }

    /** "member 127.0.0.1:5702 (pid 1234)". */
    String describe() {
      return "member " + address() + " (pid " + pid + ")";
    }

    private static long number(String text, long otherwise) {
      try {
        return text == null ? otherwise : Long.parseLong(text);
      } catch (NumberFormatException e) {
        return otherwise;
      }
    }
  }

  private final ClientSettings settings;
  private final HazelcastInstance client;
  private final IExecutorService chunks;
  private final IExecutorService control;
  private final int maxLineBytes;
  private final Map<UUID, MemberEntry> members = new LinkedHashMap<>(); // guarded by this
  private final Map<String, MemberEntry> bySlot = new LinkedHashMap<>(); // guarded by this
  private final Map<String, MemberSlot> live = new LinkedHashMap<>(); // guarded by this
  private Consumer<List<String>> newSlots; // guarded by this
  private int nextSlot; // guarded by this
  /** When the client lost its connection to the cluster, null while it is connected. */
  private Instant disconnectedAt; // guarded by this
  private volatile boolean closing;

  private ClusterConnection(ClientSettings settings, HazelcastInstance client, int maxLineBytes) {
    this.settings = settings;
    this.client = client;
    this.chunks = client.getExecutorService(MemberSettings.CHUNK_EXECUTOR);
    this.control = client.getExecutorService(MemberSettings.CONTROL_EXECUTOR);
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * Connects to the cluster and learns its members. Blocks up to the settings' connect timeout.
   *
   * @throws WorkerStartException when no member answers at the addresses in time (naming them),
   *     or the cluster has no member
   */
  static ClusterConnection connect(ClientSettings settings, int maxLineBytes)
      throws WorkerStartException {
    HazelcastInstance client;
    try {
      client = HazelcastClient.newHazelcastClient(settings.toHazelcastConfig());
    } catch (IllegalStateException | com.hazelcast.core.HazelcastException e) {
      throw new WorkerStartException("cannot connect to cluster '" + settings.clusterName()
          + "' at " + String.join(",", settings.addresses()) + " within "
          + settings.connectTimeout().toSeconds() + " s: " + e.getMessage()
          + " (is a member running there, with --cluster-name " + settings.clusterName() + "?)", e);
    }
    ClusterConnection connection = new ClusterConnection(settings, client, maxLineBytes);
    client.getCluster().addMembershipListener(connection.new Listener());
    client.getLifecycleService().addLifecycleListener(connection::lifecycle);
    return connection;
  }

  /**
   * Hears of the client losing and regaining its connection to the cluster, and of it giving up
   * (after the connect timeout: {@link ClientSettings} bounds reconnecting as it bounds the first
   * connection); Hazelcast's lifecycle thread. A client that gave up has no member left: their
   * slots end at once.
   */
  private void lifecycle(LifecycleEvent event) {
    if (closing) {
      return; // our own shutdown disconnects the client too: nothing was lost
    }
    switch (event.getState()) {
      case CLIENT_DISCONNECTED -> {
        synchronized (this) {
          disconnectedAt = Instant.now();
        }
        log.warn("lost the connection to cluster '{}'; reconnecting for up to {} s (--cluster-timeout)",
            settings.clusterName(), settings.connectTimeout().toSeconds());
      }
      case CLIENT_CONNECTED -> {
        synchronized (this) {
          disconnectedAt = null;
        }
        log.info("connected to cluster '{}'", settings.clusterName());
      }
      case SHUTTING_DOWN -> lostCluster();
      default -> { }
    }
  }

  /** The client gave up reconnecting: every member is out of reach, and their slots end. */
  private void lostCluster() {
    List<MemberEntry> left;
    synchronized (this) {
      left = members.values().stream().filter(m -> !m.gone).toList();
    }
    log.error("gave up reconnecting to cluster '{}' after {} s (--cluster-timeout)",
        settings.clusterName(), settings.connectTimeout().toSeconds());
    left.forEach(entry -> ended(entry, entry.describe() + " is out of reach: the client lost cluster '"
        + settings.clusterName() + "' and gave up reconnecting after "
        + settings.connectTimeout().toSeconds() + " s (--cluster-timeout)"));
  }

  /** Hears of members joining and leaving; Hazelcast event threads. */
  private final class Listener implements InitialMembershipListener {
    @Override
    public void init(InitialMembershipEvent event) {
      event.getMembers().forEach(ClusterConnection.this::added);
    }

    @Override
    public void memberAdded(MembershipEvent event) {
      added(event.getMember());
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
      removed(event.getMember());
    }
  }

  private void added(Member member) {
    Consumer<List<String>> listener;
    List<String> slots = new ArrayList<>();
    synchronized (this) {
      if (members.containsKey(member.getUuid())) {
        return;
      }
      MemberEntry entry = new MemberEntry(member);
      members.put(member.getUuid(), entry);
      for (int i = 0; i < entry.threads(); i++) {
        String slotId = "worker-" + nextSlot++;
        entry.slotIds.add(slotId);
        bySlot.put(slotId, entry);
        slots.add(slotId);
      }
      listener = newSlots;
      log.info("{} is in cluster '{}': slots {}", entry.describe(), settings.clusterName(), slots);
    }
    if (listener != null) {
      listener.accept(slots);
    }
  }

  private void removed(Member member) {
    MemberEntry entry;
    synchronized (this) {
      entry = members.get(member.getUuid());
      if (entry == null) {
        return;
      }
    }
    log.warn("{} left cluster '{}'", entry.describe(), settings.clusterName());
    ended(entry, entry.describe() + " left the cluster");
  }

  /** Marks {@code entry} gone and ends its live slots, saying {@code why}. Any thread. */
  private void ended(MemberEntry entry, String why) {
    List<MemberSlot> ending = new ArrayList<>();
    synchronized (this) {
      entry.gone();
      for (String slotId : entry.slotIds) {
        MemberSlot slot = live.get(slotId);
        if (slot != null) {
          ending.add(slot);
        }
      }
    }
    ending.forEach(slot -> slot.memberLeft(why));
  }

  /**
   * Null while some member can take work: the client is connected and a member is in the
   * cluster. Otherwise what was last seen, for an error: "the last, member 127.0.0.1:5702 (pid
   * 1234), left at 03:40:12", or when the client lost the cluster with members still listed, since
   * when it has been disconnected.
   */
  synchronized String absence() {
    boolean anyMember = members.values().stream().anyMatch(m -> !m.gone);
    if (anyMember && disconnectedAt == null) {
      return null;
    }
    if (anyMember) {
      return "the client has been disconnected from cluster '" + settings.clusterName()
          + "' since " + clock(disconnectedAt);
    }
    return members.values().stream()
        .filter(m -> m.goneAt != null)
        .max(Comparator.comparing((MemberEntry m) -> m.goneAt))
        .map(m -> "the last, " + m.describe() + ", left at " + clock(m.goneAt))
        .orElse("cluster '" + settings.clusterName() + "' never had one");
  }

  private static String clock(Instant at) {
    return LocalTime.ofInstant(at, ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** How long the pool waits with work and no member before it gives up: the connect timeout. */
  Duration grace() {
    return settings.connectTimeout();
  }

  /**
   * From now on, slots of members that join go to {@code listener} (on a Hazelcast event thread);
   * returns the slots of the members known now, which the caller starts itself.
   */
  synchronized List<String> openSlots(Consumer<List<String>> listener) {
    this.newSlots = listener;
    List<String> slots = new ArrayList<>();
    for (MemberEntry entry : members.values()) {
      if (!entry.gone) {
        slots.addAll(entry.slotIds);
      }
    }
    return slots;
  }

  /**
   * Starts slot {@code workerId} on its member.
   *
   * @throws IOException when its member is gone
   */
  MemberSlot start(String workerId) throws IOException {
    MemberEntry entry;
    synchronized (this) {
      entry = bySlot.get(workerId);
      if (entry == null) {
        throw new IllegalArgumentException("no cluster slot " + workerId);
      }
      if (entry.gone) {
        throw new IOException(entry.describe() + " has left the cluster; " + workerId
            + " cannot start on it");
      }
    }
    MemberSlot slot = new MemberSlot(workerId, entry, chunks, control, maxLineBytes);
    synchronized (this) {
      live.put(workerId, slot);
      if (!entry.gone) {
        return slot;
      }
    }
    slot.memberLeft(entry.describe() + " left the cluster"); // it left as the slot started
    return slot;
  }

  /**
   * Tells {@code exit}, the end of slot {@code exit.workerId()}, as what happened on the cluster:
   * a slot whose member left or failed its call gets that as its problem ("member 127.0.0.1:5702
   * (pid 1234) left the cluster"), not only in its stderr; a slot ended from here (a kill, a task
   * timeout) says that its member keeps running, since no process was signalled. Any other exit is
   * returned as it is. Call once the slot has ended, before it is started again.
   */
  WorkerExit explained(WorkerExit exit) {
    MemberSlot slot;
    MemberEntry entry;
    synchronized (this) {
      slot = live.get(exit.workerId());
      entry = bySlot.get(exit.workerId());
    }
    if (slot == null || entry == null || slot.isAlive()) {
      return exit;
    }
    String problem;
    String reason = slot.endReason();
    if (slot.destroyed()) {
      problem = (exit.problem() == null ? "the slot was ended" : exit.problem())
          + "; only the slot ended, its calls cancelled: " + entry.describe() + " keeps running";
    } else if (reason != null && exit.problem() == null) {
      problem = reason;
    } else {
      return exit;
    }
    List<String> tail = exit.stderrTail().stream().filter(line -> !line.equals(reason)).toList();
    return new WorkerExit(exit.workerId(), exit.pid(), exit.exitCode(), exit.goodbye(), problem,
        tail, exit.lastFrames());
  }

  /** "127.0.0.1:5702", the address of slot {@code workerId}'s member; null for no such slot. */
  synchronized String address(String workerId) {
    MemberEntry entry = bySlot.get(workerId);
    return entry == null ? null : entry.address();
  }

  /** Whether slot {@code workerId} may be started again: its member is still in the cluster. */
  synchronized boolean canRestart(String workerId) {
    MemberEntry entry = bySlot.get(workerId);
    return entry != null && !entry.gone;
  }

  /** How many slots the members in the cluster now have. */
  synchronized int slotCount() {
    return members.values().stream().filter(m -> !m.gone).mapToInt(m -> m.slotIds.size()).sum();
  }

  /**
   * Whether a failed call on a member means the member is gone (left, crashed, unreachable, or
   * this client shut down) rather than that the call itself failed there.
   */
  static boolean memberGone(Throwable failure) {
    return failure instanceof MemberLeftException
        || failure instanceof TargetNotMemberException
        || failure instanceof TargetDisconnectedException
        || failure instanceof HazelcastInstanceNotActiveException
        || failure instanceof HazelcastClientNotActiveException
        || failure instanceof RejectedExecutionException
        || failure instanceof IOException;
  }

  /** Shuts the client down; the members keep running. Call after the pool's slots have ended. */
  @Override
  public void close() {
    closing = true; // the shutdown that follows is ours, not a lost cluster
    client.shutdown();
  }
}
