package dev.jprocs.coordinator.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jprocs.coordinator.Pool;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control endpoint of a running coordinator: a Unix domain socket that takes one JSON-line
 * request per connection, runs the named {@link Command} and writes one JSON-line response, then
 * closes the connection.
 *
 * <pre>
 *  → {"command":"kill","worker":"worker-1"}
 *  ← {"ok":true,"worker":"worker-1","pid":41234,"itemsHeld":2}
 *  → {"command":"bogus"}
 *  ← {"ok":false,"error":"unknown command 'bogus'; the commands are: kill, list, restart, trace"}
 * </pre>
 *
 * <p>Only the coordinator's user reaches it: the socket lives in an owner-only
 * {@link RunDirectory} (the guard that counts: connecting needs search permission on every
 * directory of the path), the socket file itself is {@code rw-------}, and a connection whose peer
 * credentials name another user is answered with an error.
 *
 * <p>Threads: one daemon acceptor, {@code jprocs-control}, serves connections one after another,
 * each within {@link #EXCHANGE_TIMEOUT}, and calls the commands. A command's failure is an
 * {@code ok:false} response and a WARN line; it never reaches the pool or ends the acceptor.
 */
public final class ControlServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlServer.class);

  /** How long one connection may take from accept to response, so a silent client cannot stall the rest. */
  static final Duration EXCHANGE_TIMEOUT = Duration.ofSeconds(5);
  /** sun_path holds 108 bytes on Linux, the last one the terminating NUL. */
  static final int MAX_SOCKET_PATH_BYTES = 107;

  /**
   * One request kind, by name. Called on the {@code jprocs-control} thread.
   */
  @FunctionalInterface
  public interface Command {
    /**
     * Runs the request and returns the fields of its response ({@code "ok":true} is added).
     *
     * @throws IllegalArgumentException or {@link IllegalStateException} with a message for the
     *     operator when the request cannot be carried out (bad worker, missing field)
     */
    ObjectNode run(JsonNode request);
  }

  private final Path socket;
  private final ServerSocketChannel server;
  private final Map<String, Command> commands;
  private final UserPrincipal owner;
  private final Thread acceptor;
  private volatile boolean closed;

  private ControlServer(Path socket, ServerSocketChannel server, Map<String, Command> commands,
      UserPrincipal owner) {
    this.socket = socket;
    this.server = server;
    this.commands = Map.copyOf(commands);
    this.owner = owner;
    this.acceptor = new Thread(this::acceptLoop, "jprocs-control");
    acceptor.setDaemon(true);
  }

  /** Serves {@link PoolCommands#of the pool's commands} on {@code run}'s control socket. */
  public static ControlServer start(RunDirectory run, Pool pool) throws IOException {
    return start(run.controlSocket(), PoolCommands.of(pool));
  }

  /**
   * Binds a Unix domain socket at {@code socket} (which must not exist), makes it owner-only and
   * starts serving {@code commands} by name.
   *
   * @throws IOException when the path is too long for a Unix domain socket (the message says to
   *     use a shorter logs root) or the socket cannot be bound
   */
  public static ControlServer start(Path socket, Map<String, Command> commands) throws IOException {
    Path absolute = socket.toAbsolutePath();
    int bytes = absolute.toString().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_SOCKET_PATH_BYTES) {
      throw new IOException("the control socket path " + absolute + " is " + bytes + " bytes, over the "
          + MAX_SOCKET_PATH_BYTES + " a Unix domain socket allows; use a shorter --logs root");
    }
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(absolute));
      // The run directory already keeps others out; this covers a socket moved or linked elsewhere.
      Files.setPosixFilePermissions(absolute, PosixFilePermissions.fromString("rw-------"));
      ControlServer control = new ControlServer(absolute, server, commands, Files.getOwner(absolute));
      absolute.toFile().deleteOnExit(); // when the JVM ends without close(), e.g. on Ctrl-C
      control.acceptor.start();
      return control;
    } catch (IOException | RuntimeException e) {
      server.close();
      Files.deleteIfExists(absolute);
      throw new IOException("cannot open the control socket " + absolute + ": " + e.getMessage(), e);
    }
  }

  /** Where this server listens (an absolute path). */
  public Path socket() {
    return socket;
  }

  private void acceptLoop() {
    while (!closed) {
      SocketChannel connection;
      try {
        connection = server.accept();
      } catch (ClosedChannelException e) {
        return; // close(): AsynchronousCloseException is one
      } catch (IOException e) {
        if (closed) {
          return;
        }
        // For instance out of file descriptors: wait a little rather than spin on the error.
        log.warn("control socket {}: accept failed: {}", socket, e.toString());
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        continue;
      }
      serve(connection);
    }
  }

  /** Answers one connection and closes it. Acceptor thread. */
  private void serve(SocketChannel connection) {
    try (JsonLineChannel line = new JsonLineChannel(connection, EXCHANGE_TIMEOUT)) {
      String refusal = refusal(connection);
      if (refusal != null) {
        log.warn("control socket {}: {}", socket, refusal);
        line.write(error(refusal));
        return;
      }
      JsonNode request;
      try {
        request = line.read();
      } catch (JsonProcessingException e) {
        String problem = "the request is not a JSON line: " + e.getOriginalMessage();
        log.warn("control socket {}: {}", socket, problem);
        line.write(error(problem));
        return;
      }
      line.write(respond(request));
    } catch (IOException e) {
      log.warn("control socket {}: a connection ended without an answer: {}", socket, e.toString());
    }
  }

  /** Why this peer may not use the socket, or null when it may. */
  private String refusal(SocketChannel connection) {
    UnixDomainPrincipal peer;
    try {
      peer = connection.getOption(ExtendedSocketOptions.SO_PEERCRED);
    } catch (UnsupportedOperationException | IOException e) {
      // Not Linux or macOS: the run directory's permissions are the only guard, as they are
      // meant to be.
      log.debug("control socket {}: no peer credentials: {}", socket, e.toString());
      return null;
    }
    if (peer.user().equals(owner)) {
      return null;
    }
    return "refused a connection from user " + peer.user().getName() + ": only " + owner.getName()
        + " may control this run";
  }

  /** Dispatches one request by its "command". Never throws. */
  ObjectNode respond(JsonNode request) {
    JsonNode name = request.path("command");
    if (!name.isTextual()) {
      return failed("a request is {\"command\":NAME,...} with NAME one of " + names() + "; got " + request);
    }
    Command command = commands.get(name.asText());
    if (command == null) {
      return failed("unknown command '" + name.asText() + "'; the commands are: " + names());
    }
    try {
      ObjectNode response = JsonNodeFactory.instance.objectNode().put("ok", true);
      response.setAll(command.run(request));
      return response;
    } catch (IllegalArgumentException | IllegalStateException e) {
      return failed(name.asText() + ": " + e.getMessage());
    } catch (RuntimeException e) {
      log.warn("control socket {}: {} failed", socket, request, e);
      return error(name.asText() + " failed: " + e);
    }
  }

  private ObjectNode failed(String problem) {
    log.warn("control socket {}: {}", socket, problem);
    return error(problem);
  }

  private static ObjectNode error(String problem) {
    return JsonNodeFactory.instance.objectNode().put("ok", false).put("error", problem);
  }

  private String names() {
    return String.join(", ", new TreeMap<>(commands).keySet());
  }

  /**
   * Stops taking connections, gives an exchange in progress a second to finish (then cuts it
   * short) and deletes the socket file. Idempotent; any thread but the acceptor.
   */
  @Override
  public void close() {
    closed = true;
    try {
      server.close(); // wakes the acceptor out of accept()
    } catch (IOException e) {
      log.warn("control socket {}: close failed: {}", socket, e.toString());
    }
    try {
      acceptor.join(1000); // an exchange in progress may finish
      if (acceptor.isAlive()) {
        acceptor.interrupt(); // wakes it out of a stalled exchange's select()
        acceptor.join(1000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      log.warn("cannot delete the control socket {}: {}", socket, e.toString());
    }
  }
}
