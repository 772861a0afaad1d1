package dev.jprocs.coordinator.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;
import ch.qos.logback.core.util.FileSize;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jprocs.coordinator.Frame;
import dev.jprocs.coordinator.PipeTracer;
import dev.jprocs.protocol.Codec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes traced frames, one JSON object a line, to one file per worker slot:
 * {@code trace/worker-N.jsonl}, rolled at {@link #DEFAULT_MAX_FILE_BYTES} into
 * {@code worker-N.1.jsonl} (the newest archive) ... {@code worker-N.3.jsonl}, the oldest
 * dropped, so a slot never takes more than four files.
 *
 * <pre>
 * {"time":"2026-11-22T01:30:43.123456Z","worker":"worker-0","pid":41233,"dir":"-&gt;","type":"task",
 *  "taskId":12,"rank":40,"bytes":1234,"line":"{\"type\":\"task\",...","cut":true}
 * </pre>
 *
 * {@code taskId} and {@code rank} are left out when the frame has none; {@code line} is the line
 * as text, cut at {@code maxChars} characters, and {@code cut} (present only then) says so;
 * {@code bytes} is always the full length.
 *
 * <p>Written through Logback, configured here in a {@link LoggerContext} of its own: a logger
 * {@code dev.jprocs.trace.worker-N} per slot with a rolling file appender and the pattern
 * {@code %msg%n}, not additive. So no user configuration is needed, none can send frames to the
 * console (stdout may carry the run's output), and the application's own logging is untouched.
 *
 * <p>Threads: {@link #frame} runs on the workers' stdin and stdout threads; Logback's appenders
 * serialize the writes to each file. Each line is flushed as it is written, so
 * {@code scripts/pipes.sh --follow} sees it at once. A file that cannot be written is reported
 * once (WARN); nothing is thrown into the pool.
 */
public final class TraceLog implements PipeTracer, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TraceLog.class);

  /** How many characters of each line a record keeps by default (--trace-max-chars). */
  public static final int DEFAULT_MAX_CHARS = 2000;
  /** The size at which a slot's file is rolled. */
  public static final long DEFAULT_MAX_FILE_BYTES = 64L * 1024 * 1024;
  /** How many rolled files a slot keeps besides its current one. */
  public static final int DEFAULT_ARCHIVES = 3;
  /** How often the size is checked: Logback's default, a minute, could overshoot by gigabytes. */
  private static final double SIZE_CHECK_MILLIS = 100;

  /** A trace file's name: the slot, and for an archive its number (1 the newest). */
  public static final Pattern FILE_NAME = Pattern.compile("(worker-\\d+)(?:\\.(\\d+))?\\.jsonl");

  private final Path directory;
  private final int maxChars;
  private final long maxFileBytes;
  private final int archives;
  private final LoggerContext context = new LoggerContext();
  private final Map<String, ch.qos.logback.classic.Logger> loggers = new ConcurrentHashMap<>();
  private final AtomicBoolean reported = new AtomicBoolean();
  private volatile boolean closed;

  /**
   * A trace log into {@code directory} (made by the first frame) that keeps {@code maxChars}
   * characters of each line, rolls a slot's file at {@code maxFileBytes} and keeps
   * {@code archives} rolled files of it.
   */
  public TraceLog(Path directory, int maxChars, long maxFileBytes, int archives) {
    if (maxChars < 0) {
      throw new IllegalArgumentException("trace max chars must not be negative, got " + maxChars);
    }
    if (maxFileBytes < 1024) {
      throw new IllegalArgumentException("a trace file must be allowed 1024 bytes at least, got " + maxFileBytes);
    }
    if (archives < 1 || archives > 20) { // FixedWindowRollingPolicy's own limit is 20
      throw new IllegalArgumentException("trace archives must be 1 to 20, got " + archives);
    }
    this.directory = directory;
    this.maxChars = maxChars;
    this.maxFileBytes = maxFileBytes;
    this.archives = archives;
    context.setName("jprocs-trace");
    // A context made by hand has none; each event copies the MDC (empty here) from it.
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    context.getStatusManager().add(new StatusListener() {
      @Override
      public void addStatusEvent(Status status) {
        // Logback reports its errors (a file it cannot open or write) here, not by throwing.
        if (status.getLevel() == Status.ERROR && reported.compareAndSet(false, true)) {
          log.warn("pipe trace in {}: {}{}; frames may be missing from now on", directory,
              status.getMessage(), status.getThrowable() == null ? "" : ": " + status.getThrowable());
        }
      }
    });
    context.start();
  }

  /** A trace log into {@code directory} with the default sizes. */
  public TraceLog(Path directory, int maxChars) {
    this(directory, maxChars, DEFAULT_MAX_FILE_BYTES, DEFAULT_ARCHIVES);
  }

  /** The current file of slot {@code workerId}. */
  public Path file(String workerId) {
    return directory.resolve(workerId + ".jsonl");
  }

  @Override
  public void frame(Frame frame) {
    if (closed) {
      return;
    }
    loggers.computeIfAbsent(frame.workerId(), this::logger).info(record(frame));
  }

  /** The JSON line of one frame. */
  String record(Frame frame) {
    ObjectNode record = JsonNodeFactory.instance.objectNode()
        .put("time", LogTime.format(frame.time()))
        .put("worker", frame.workerId())
        .put("pid", frame.pid())
        .put("dir", frame.direction().arrow())
        .put("type", frame.type());
    if (frame.taskId() >= 0) {
      record.put("taskId", frame.taskId());
    }
    if (frame.rank() >= 0) {
      record.put("rank", frame.rank());
    }
    LineText.Cut line = LineText.cut(frame.line(), frame.bytes(), maxChars);
    record.put("bytes", frame.bytes()).put("line", line.text());
    if (line.cut()) {
      record.put("cut", true);
    }
    return Codec.toJson(record);
  }

  /** Makes slot {@code workerId}'s logger and its rolling file. First frame of the slot. */
  private ch.qos.logback.classic.Logger logger(String workerId) {
    RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
    appender.setContext(context);
    appender.setName(workerId);
    appender.setFile(file(workerId).toString());

    FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
    rolling.setContext(context);
    rolling.setParent(appender);
    rolling.setFileNamePattern(directory.resolve(workerId + ".%i.jsonl").toString());
    rolling.setMinIndex(1);
    rolling.setMaxIndex(archives);
    rolling.start();

    SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
    trigger.setContext(context);
    trigger.setMaxFileSize(new FileSize(maxFileBytes));
    trigger.setCheckIncrement(ch.qos.logback.core.util.Duration.buildByMilliseconds(SIZE_CHECK_MILLIS));
    trigger.start();

    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%msg%n");
    encoder.setCharset(StandardCharsets.UTF_8);
    encoder.start();

    appender.setEncoder(encoder);
    appender.setRollingPolicy(rolling);
    appender.setTriggeringPolicy(trigger);
    appender.start(); // opens the file, making the directory; a failure is a status (reported)

    ch.qos.logback.classic.Logger logger = context.getLogger("dev.jprocs.trace." + workerId);
    logger.setAdditive(false);
    logger.setLevel(Level.INFO);
    logger.addAppender(appender);
    return logger;
  }

  /** The slot of a trace file's name ({@code worker-3} for worker-3.2.jsonl), or null for another file. */
  public static String slotOf(String fileName) {
    Matcher m = FILE_NAME.matcher(fileName);
    return m.matches() ? m.group(1) : null;
  }

  /** Stops the appenders, closing the files; later frames are dropped. Idempotent. */
  @Override
  public void close() {
    closed = true;
    context.stop(); // detaches and stops every appender
  }
}
