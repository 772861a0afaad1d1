package dev.jprocs.coordinator.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jprocs.coordinator.Pool;
import dev.jprocs.coordinator.WorkerInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The control commands that act on a {@link Pool}, through its public methods only.
 *
 * <ul>
 *   <li>{@code {"command":"list"}} → {@code {"workers":[{"worker","pid","state","itemsDone",
 *       "itemsHeld","restarts","startedAt","uptimeMillis","tracing","rssBytes"}, ...]}};
 *       {@code rssBytes} is null where {@code /proc} does not say, and for a cluster slot, whose
 *       row also has {@code "member"}, its member's address (its pid is not one of this machine).
 *   <li>{@code {"command":"restart","worker":ID}}: {@link Pool#restartWorker}, graceful.
 *   <li>{@code {"command":"kill","worker":ID}}: {@link Pool#killWorker}, at once.
 *   <li>{@code {"command":"trace","worker":ID,"on":true|false}}: {@link Pool#trace}, switches the
 *       tracing of that slot's pipe (its frames go to the run's {@code trace/ID.jsonl}); without
 *       {@code "on"}, only says whether it is on. Answers {@code {"worker","pid","tracing","was"}}.
 * </ul>
 *
 * <p>restart and kill answer {@code {"worker","pid","itemsHeld"}} (and {@code "member"} on a
 * cluster): the process acted on and what
 * it held at that moment. They return at once; the replacement shows in a later {@code list}.
 */
public final class PoolCommands {
  private PoolCommands() {}

  /** The commands by name, for {@link ControlServer#start(Path, Map)}; add more to the map. */
  public static Map<String, ControlServer.Command> of(Pool pool) {
    Map<String, ControlServer.Command> commands = new LinkedHashMap<>();
    commands.put("list", request -> list(pool));
    commands.put("restart", request -> actedOn(pool.restartWorker(workerId(request))));
    commands.put("kill", request -> actedOn(pool.killWorker(workerId(request))));
    commands.put("trace", request -> trace(pool, request));
    return commands;
  }

  private static ObjectNode trace(Pool pool, JsonNode request) {
    String workerId = workerId(request);
    JsonNode on = request.path("on");
    if (!on.isMissingNode() && !on.isBoolean()) {
      throw new IllegalArgumentException("\"on\" is true or false, not " + on);
    }
    boolean was = on.isBoolean() ? pool.trace(workerId, on.asBoolean()) : pool.tracing(workerId);
    WorkerInfo worker = pool.workers().stream().filter(w -> w.workerId().equals(workerId))
        .findFirst().orElseThrow(() -> new IllegalArgumentException("no worker " + workerId));
    return JsonNodeFactory.instance.objectNode()
        .put("worker", workerId)
        .put("pid", worker.pid())
        .put("tracing", on.isBoolean() ? on.asBoolean() : was)
        .put("was", was);
  }

  private static ObjectNode list(Pool pool) {
    Instant now = Instant.now();
    ArrayNode workers = JsonNodeFactory.instance.arrayNode();
    for (WorkerInfo worker : pool.workers()) {
      ObjectNode row = workers.addObject()
          .put("worker", worker.workerId())
          .put("pid", worker.pid())
          .put("state", worker.state().name())
          .put("itemsDone", worker.itemsDone())
          .put("itemsHeld", worker.itemsHeld())
          .put("restarts", worker.restarts())
          .put("startedAt", worker.startedAt().toString())
          .put("uptimeMillis", Duration.between(worker.startedAt(), now).toMillis())
          .put("tracing", pool.tracing(worker.workerId()));
      if (worker.member() != null) {
        row.put("member", worker.member());
      }
      OptionalLong rss = worker.state() == WorkerInfo.State.EXITED || worker.member() != null
          ? OptionalLong.empty() : rssBytes(worker.pid());
      if (rss.isPresent()) {
        row.put("rssBytes", rss.getAsLong());
      } else {
        row.putNull("rssBytes");
      }
    }
    ObjectNode response = JsonNodeFactory.instance.objectNode();
    response.set("workers", workers);
    return response;
  }

  private static String workerId(JsonNode request) {
    JsonNode worker = request.path("worker");
    if (!worker.isTextual()) {
      throw new IllegalArgumentException("the request needs \"worker\": a worker id such as \"worker-0\"");
    }
    return worker.asText();
  }

  /** The worker now in slot {@code workerId}, so a response can name the pid acted on. */
  private static ObjectNode actedOn(WorkerInfo worker) {
    ObjectNode acted = JsonNodeFactory.instance.objectNode()
        .put("worker", worker.workerId())
        .put("pid", worker.pid())
        .put("itemsHeld", worker.itemsHeld());
    if (worker.member() != null) {
      acted.put("member", worker.member());
    }
    return acted;
  }

  /**
   * The resident set size of process {@code pid}, from {@code VmRSS} in {@code /proc/PID/status};
   * empty where there is no {@code /proc} (not Linux) or the process has just ended.
   */
  static OptionalLong rssBytes(long pid) {
    Path status = Path.of("/proc", Long.toString(pid), "status");
    try {
      for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
        if (line.startsWith("VmRSS:")) { // "VmRSS:	   49232 kB"
          String[] fields = line.substring("VmRSS:".length()).trim().split("\\s+");
          return OptionalLong.of(Long.parseLong(fields[0]) * 1024);
        }
      }
      return OptionalLong.empty(); // a zombie has no VmRSS line
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
