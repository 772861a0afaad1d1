package dev.jprocs.worker.child;

import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.Message;
import java.time.Duration;

/**
 * A child's handle on a queue that lives in the coordinator: each call is one request and one
 * reply over the child's stdin and stdout. A get that waits is held by the coordinator, which
 * answers when an item comes, the queue closes or the timeout passes. Thread-safe.
 */
final class ChildQueue<T> implements Queue<T> {
  private final ChildChannel channel;
  private final String name;
  private final Class<T> type;

  ChildQueue(ChildChannel channel, String name, Class<T> type) {
    this.channel = channel;
    this.name = name;
    this.type = type;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void put(T item) {
    var json = Serialization.toTree(item, "the item put on queue '" + name + "'");
    requireOk(uninterruptibly(id -> new Message.QueuePut(id, name, json)));
  }

  @Override
  public T get() throws QueueClosedException, InterruptedException {
    return item(channel.request(id -> new Message.QueueGet(id, name, -1), true), null);
  }

  @Override
  public T get(Duration timeout)
      throws QueueEmptyException, QueueClosedException, InterruptedException {
    long millis = Math.max(0, timeout.toMillis());
    Message.QueueReply reply = channel.request(id -> new Message.QueueGet(id, name, millis), true);
    if (Message.QueueReply.EMPTY.equals(reply.status())) {
      throw new QueueEmptyException("queue '" + name + "' stayed empty for " + millis + " ms");
    }
    return item(reply, timeout);
  }

  @Override
  public void close() {
    requireOk(uninterruptibly(id -> new Message.QueueClose(id, name)));
  }

  private T item(Message.QueueReply reply, Duration timeout) throws QueueClosedException {
    switch (reply.status()) {
      case Message.QueueReply.ITEM -> {
        try {
          return Codec.fromTree(reply.value(), type);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("an item of queue '" + name + "' is not a "
              + type.getSimpleName() + ": " + e.getMessage(), e);
        }
      }
      case Message.QueueReply.CLOSED -> throw new QueueClosedException(
          "queue '" + name + "' is closed and empty");
      default -> throw new IllegalStateException("the coordinator answered a get from queue '"
          + name + "' with " + reply.status()
          + (reply.message() == null ? "" : ": " + reply.message()));
    }
  }

  private Message.QueueReply uninterruptibly(java.util.function.LongFunction<Message> make) {
    try {
      return channel.request(make, false);
    } catch (InterruptedException e) {
      throw new AssertionError("an uninterruptible request was interrupted", e);
    }
  }

  private void requireOk(Message.QueueReply reply) {
    if (!Message.QueueReply.OK.equals(reply.status())) {
      throw new IllegalStateException(reply.message() != null ? reply.message()
          : "the coordinator answered " + reply.status() + " on queue '" + name + "'");
    }
  }

  @Override
  public String toString() {
    return "Queue[" + name + " in the coordinator]";
  }
}
