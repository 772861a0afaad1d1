package dev.jprocs.coordinator.process;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.Message;
import dev.jprocs.worker.child.Child;
import dev.jprocs.worker.child.Queue;
import dev.jprocs.worker.child.QueueClosedException;
import dev.jprocs.worker.child.QueueEmptyException;
import dev.jprocs.worker.child.Serialization;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A queue that lives in the coordinator and is shared with child JVMs, like Python's
 * {@code multiprocessing.Queue}:
 *
 * <pre>{@code
 * SharedQueue<String> jobs = new SharedQueue<>("jobs", String.class);
 * JvmProcess consumer = JvmProcess.of(Consumer.class).share(jobs).start();
 * jobs.put("first");
 * jobs.close();          // the sentinel: once drained, every get ends, here and in children
 * // in the child:  Queue<String> jobs = Child.queue("jobs", String.class); jobs.get() ...
 * }</pre>
 *
 * <p>The transport is each child's own stdin and stdout, which only this JVM holds: no socket,
 * no file, nothing another user could reach. A child's {@code get} is a request that this queue
 * holds (as a waiter, FIFO with local gets) until an item comes, the queue closes or its timeout
 * passes, and then answers; a child that dies meanwhile loses its place, not an item. An item
 * already written to a child that dies before reading it is lost, as in Python.
 *
 * <p>Caller threads call the public methods; each child's {@code NAME-stdout} thread calls
 * {@link #putJson}, {@link #getFor} and {@link #close}; timeouts of children's gets fire on
 * {@code jprocs-queue-timer}. This object's monitor guards the items and the waiters.
 */
public final class SharedQueue<T> implements Queue<T> {
  /** What a waiter gets when the queue is closed and drained. */
  private static final Object CLOSED = new Object();
  /** What a local waiter is completed with when it gives up (timeout, interrupt). */
  private static final Object GAVE_UP = new Object();

  private static final ScheduledThreadPoolExecutor TIMER = timer();

  private final String name;
  private final Class<T> type;
  private final ArrayDeque<JsonNode> items = new ArrayDeque<>(); // guarded by this
  /** Gets waiting for an item, oldest first; non-empty only while {@code items} is empty. */
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>(); // guarded by this
  private boolean closed; // guarded by this

  /** A get waiting for an item, here or in a child. */
  private interface Waiter {
    /**
     * Hands over an item (a {@link JsonNode}) or {@link #CLOSED}; returns false when this waiter
     * can no longer take it (it gave up, or its child is gone). Called holding the monitor.
     */
    boolean offer(Object outcome);
  }

  /**
   * @param name how children find it ({@link Child#queue}); unique among the queues shared with
   *     one process
   * @param type what items are read back as
   */
  public SharedQueue(String name, Class<T> type) {
    if (Objects.requireNonNull(name, "name").isBlank()) {
      throw new IllegalArgumentException("a queue name must not be blank");
    }
    this.name = name;
    this.type = Objects.requireNonNull(type, "type");
  }

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "jprocs-queue-timer");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true); // a get answered early leaves no task behind
    return timer;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void put(T item) {
    putJson(Serialization.toTree(item, "the item put on queue '" + name + "'"));
  }

  /**
   * Adds an item that is JSON already, from here or from a child.
   *
   * @throws IllegalStateException when the queue is closed
   */
  synchronized void putJson(JsonNode item) {
    if (closed) {
      throw new IllegalStateException("queue '" + name + "' is closed; nothing more can be put on it");
    }
    handOver(item);
  }

  /** Gives {@code item} to the oldest waiter that can take it, or keeps it. Holding the monitor. */
  private void handOver(JsonNode item) {
    while (!waiters.isEmpty()) {
      if (waiters.poll().offer(item)) {
        return;
      }
    }
    items.add(item);
  }

  @Override
  public T get() throws QueueClosedException, InterruptedException {
    try {
      return convert(take(-1));
    } catch (QueueEmptyException e) {
      throw new AssertionError("a get without timeout timed out", e);
    }
  }

  @Override
  public T get(Duration timeout)
      throws QueueEmptyException, QueueClosedException, InterruptedException {
    return convert(take(Math.max(0, timeout.toNanos())));
  }

  /** Takes the head, waiting up to {@code nanos} (-1: as long as it takes). */
  private JsonNode take(long nanos)
      throws QueueEmptyException, QueueClosedException, InterruptedException {
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    Waiter waiter = outcome::complete;
    synchronized (this) {
      if (!items.isEmpty()) {
        return items.poll();
      }
      if (closed) {
        throw closedException();
      }
      if (nanos == 0) {
        throw emptyException(0);
      }
      waiters.add(waiter);
    }
    Object got;
    try {
      // Woken by a put's or a close's offer.
      got = nanos < 0 ? outcome.get() : outcome.get(nanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      if (giveUp(outcome, waiter)) {
        throw emptyException(nanos);
      }
      got = outcome.join(); // an item or the close came as the time ran out
    } catch (InterruptedException e) {
      if (!giveUp(outcome, waiter) && outcome.join() instanceof JsonNode item) {
        synchronized (this) {
          // Not this caller's any more; the next get takes it, so nothing is lost or reordered.
          if (waiters.isEmpty()) {
            items.addFirst(item);
          } else {
            handOver(item);
          }
        }
      }
      throw e;
    } catch (ExecutionException e) {
      throw new IllegalStateException("a queue waiter failed", e.getCause());
    }
    if (got == CLOSED) {
      throw closedException();
    }
    return (JsonNode) got;
  }

  /** Withdraws a local waiter; false when an outcome reached it first. */
  private synchronized boolean giveUp(CompletableFuture<Object> outcome, Waiter waiter) {
    if (!outcome.complete(GAVE_UP)) {
      return false;
    }
    waiters.remove(waiter);
    return true;
  }

  /**
   * A child's get: answers at once when it can, else holds the request as a waiter until an item
   * comes, the queue closes, or {@code waitMillis} pass (-1: no limit). Child's stdout thread.
   */
  synchronized void getFor(JvmProcess child, long requestId, long waitMillis) {
    if (child.disconnected()) {
      return; // it cannot read an answer; an item sent now would be lost
    }
    if (!items.isEmpty()) {
      child.reply(new Message.QueueReply(requestId, Message.QueueReply.ITEM, items.poll(), null));
    } else if (closed) {
      child.reply(new Message.QueueReply(requestId, Message.QueueReply.CLOSED, null, null));
    } else if (waitMillis == 0) {
      child.reply(new Message.QueueReply(requestId, Message.QueueReply.EMPTY, null, null));
    } else {
      RemoteWaiter waiter = new RemoteWaiter(child, requestId);
      waiters.add(waiter);
      if (waitMillis > 0) {
        waiter.timer = TIMER.schedule(() -> expire(waiter), waitMillis, TimeUnit.MILLISECONDS);
      }
    }
  }

  /** A child's get ran out of time: answers "empty" unless an outcome reached it first. Timer thread. */
  private synchronized void expire(RemoteWaiter waiter) {
    if (!waiter.done) {
      waiter.done = true;
      waiters.remove(waiter);
      waiter.child.reply(new Message.QueueReply(waiter.requestId, Message.QueueReply.EMPTY, null, null));
    }
  }

  /** Drops the waiting gets of a child that has ended. Its exit thread. */
  synchronized void forget(JvmProcess child) {
    waiters.removeIf(w -> w instanceof RemoteWaiter remote && remote.child == child && remote.cancel());
  }

  /** A get held for a child, answered over its stdin. */
  private static final class RemoteWaiter implements Waiter {
    final JvmProcess child;
    final long requestId;
    ScheduledFuture<?> timer; // guarded by the queue's monitor, like done
    boolean done;

    RemoteWaiter(JvmProcess child, long requestId) {
      this.child = child;
      this.requestId = requestId;
    }

    @Override
    public boolean offer(Object outcome) {
      if (done || child.disconnected()) {
        cancel();
        return false;
      }
      cancel();
      child.reply(outcome == CLOSED
          ? new Message.QueueReply(requestId, Message.QueueReply.CLOSED, null, null)
          : new Message.QueueReply(requestId, Message.QueueReply.ITEM, (JsonNode) outcome, null));
      return true;
    }

    /** Marks it answered and stops its timer; returns true. */
    boolean cancel() {
      done = true;
      if (timer != null) {
        timer.cancel(false);
      }
      return true;
    }
  }

  /**
   * Closes the queue, here or for a child: gets take what is left, then end with
   * {@link QueueClosedException}, the waiting ones at once when nothing is left. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (items.isEmpty()) {
      while (!waiters.isEmpty()) {
        waiters.poll().offer(CLOSED);
      }
    }
  }

  /** Whether {@link #close()} was called (items may remain). */
  public synchronized boolean isClosed() {
    return closed;
  }

  /** How many items wait in the queue now; others may change it at once. */
  public synchronized int size() {
    return items.size();
  }

  /** How many gets, here and in children, wait for an item now. */
  synchronized int waiting() {
    return waiters.size();
  }

  private T convert(JsonNode item) {
    try {
      return Codec.fromTree(item, type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("an item of queue '" + name + "' is not a "
          + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  private QueueClosedException closedException() {
    return new QueueClosedException("queue '" + name + "' is closed and empty");
  }

  private QueueEmptyException emptyException(long nanos) {
    return new QueueEmptyException("queue '" + name + "' stayed empty for "
        + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms");
  }

  @Override
  public synchronized String toString() {
    return "SharedQueue[" + name + ", " + items.size() + " items" + (closed ? ", closed" : "") + "]";
  }
}
