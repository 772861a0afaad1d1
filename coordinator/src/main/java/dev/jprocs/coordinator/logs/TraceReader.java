package dev.jprocs.coordinator.logs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jprocs.protocol.Codec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.stream.Stream;

/**
 * Reads the pipe traces a {@link TraceLog} wrote into a run's {@code trace/} directory, as they
 * stand and then as they grow: the frames of all slots merged by time, each slot's rolled files
 * oldest first. Only whole lines are read; a line still being written is read on a later call.
 * Not thread-safe: one reader, one thread.
 */
public final class TraceReader {
  /** One frame as the trace file recorded it; {@code taskId} and {@code rank} are -1 when absent. */
  public record Record(Instant time, String workerId, long pid, String direction, String type,
      long taskId, long rank, long bytes, String line, boolean cut) {

    /** Reads one trace line's JSON; null when it is not a frame. */
    static Record of(JsonNode json) {
      JsonNode time = json.get("time");
      if (time == null || !json.hasNonNull("worker") || !json.hasNonNull("dir")) {
        return null;
      }
      try {
        return new Record(Instant.parse(time.asText()), json.get("worker").asText(),
            json.path("pid").asLong(-1), json.get("dir").asText(), json.path("type").asText("?"),
            json.path("taskId").asLong(-1), json.path("rank").asLong(-1), json.path("bytes").asLong(),
            json.path("line").asText(""), json.path("cut").asBoolean(false));
      } catch (DateTimeParseException e) {
        return null;
      }
    }
  }

  private static final Comparator<Record> BY_TIME =
      Comparator.comparing(Record::time).thenComparing(Record::workerId);

  private final Path directory;
  private final Map<String, Slot> slots = new TreeMap<>();
  private int unreadable;

  /** A reader of the trace files in {@code directory}, which need not exist yet. */
  public TraceReader(Path directory) {
    this.directory = directory;
  }

  /** Whether the directory holds any trace file now. */
  public boolean hasFiles() throws IOException {
    return !listFiles().isEmpty();
  }

  /** Lines that are whole but not a frame (a damaged file), skipped so far. */
  public int unreadableLines() {
    return unreadable;
  }

  /**
   * Gives {@code sink} every frame the files hold now, in time order across slots (each slot's
   * file is in the order its frames were written), and remembers where each file ended.
   */
  public void readAll(Consumer<Record> sink) throws IOException {
    List<Source> sources = new ArrayList<>();
    for (Map.Entry<String, List<Path>> slot : listFiles().entrySet()) {
      if (!slots.containsKey(slot.getKey())) {
        sources.add(open(slot.getKey(), slot.getValue()));
      }
    }
    PriorityQueue<Source> heads = new PriorityQueue<>(Comparator.comparing(s -> s.head, BY_TIME));
    try {
      for (Source source : sources) {
        if (source.advance()) {
          heads.add(source);
        }
      }
      while (!heads.isEmpty()) {
        Source first = heads.poll();
        sink.accept(first.head);
        if (first.advance()) {
          heads.add(first);
        }
      }
    } finally {
      for (Source source : sources) {
        source.close();
      }
    }
  }

  /**
   * Gives {@code sink} the frames written since the last call (of a slot that appeared meanwhile,
   * all of them), in time order. A file rolled meanwhile is read to its end in its archive first.
   */
  public void readNew(Consumer<Record> sink) throws IOException {
    List<Record> batch = new ArrayList<>();
    readAll(batch::add); // slots that appeared since
    for (Slot slot : slots.values()) {
      slot.readNew(batch::add);
    }
    batch.sort(BY_TIME);
    batch.forEach(sink);
  }

  /** The trace files by slot, each slot's oldest first (highest archive number, current last). */
  private Map<String, List<Path>> listFiles() throws IOException {
    Map<String, TreeMap<Integer, Path>> bySlot = new TreeMap<>();
    if (!Files.isDirectory(directory)) {
      return Map.of();
    }
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Matcher name = TraceLog.FILE_NAME.matcher(file.getFileName().toString());
        if (name.matches()) {
          int archive = name.group(2) == null ? 0 : Integer.parseInt(name.group(2));
          bySlot.computeIfAbsent(name.group(1), k -> new TreeMap<>(Comparator.reverseOrder()))
              .put(archive, file);
        }
      }
    }
    Map<String, List<Path>> ordered = new TreeMap<>();
    bySlot.forEach((slot, files) -> ordered.put(slot, new ArrayList<>(files.values())));
    return ordered;
  }

  /** Starts reading a slot's files; the slot is then known, and followed from where they end. */
  private Source open(String workerId, List<Path> files) throws IOException {
    Path current = directory.resolve(workerId + ".jsonl");
    Slot slot = new Slot(current);
    slots.put(workerId, slot);
    slot.key = fileKey(current); // before reading, so a roll meanwhile shows as a new key
    return new Source(files, current, slot);
  }

  private static Object fileKey(Path file) throws IOException {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      // No inode (a file system without file keys): a shrinking size is the only sign of a roll.
      return attributes.fileKey() != null ? attributes.fileKey() : "no key";
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private Record parse(byte[] line) {
    try {
      Record record = Record.of(Codec.parse(new String(line, StandardCharsets.UTF_8)));
      if (record == null) {
        unreadable++;
      }
      return record;
    } catch (JsonProcessingException e) {
      unreadable++;
      return null;
    }
  }

  /** Where reading of one slot's current file stopped. */
  private final class Slot {
    final Path current;
    Object key; // of the current file when last read; null when there was none
    long position; // bytes of whole lines read from it

    Slot(Path current) {
      this.current = current;
    }

    void readNew(Consumer<Record> sink) throws IOException {
      Object now = fileKey(current);
      if (now == null) {
        return; // between a roll's rename and the new file: next time
      }
      long size = Files.size(current);
      if (key != null && (!key.equals(now) || size < position)) {
        // Rolled: the file we were reading is now archive 1; read the rest of it there.
        Path archive = current.resolveSibling(current.getFileName().toString().replace(".jsonl", ".1.jsonl"));
        if (Objects.equals(fileKey(archive), key)) {
          read(archive, position, sink);
        }
        position = 0;
      }
      key = now;
      position += read(current, position, sink);
    }

    /** Reads the whole lines of {@code file} from {@code from}; returns their length in bytes. */
    long read(Path file, long from, Consumer<Record> sink) throws IOException {
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
        channel.position(from);
        Lines lines = new Lines(Channels.newInputStream(channel));
        byte[] line;
        while ((line = lines.next()) != null) {
          Record record = parse(line);
          if (record != null) {
            sink.accept(record);
          }
        }
        return lines.consumed;
      } catch (NoSuchFileException e) {
        return 0;
      }
    }
  }

  /** A slot's files read in order as one stream of records, for the merge of {@link #readAll}. */
  private final class Source implements AutoCloseable {
    final List<Path> files;
    final Path current;
    final Slot slot;
    int next;
    InputStream in;
    Lines lines;
    Path reading;
    Record head;

    Source(List<Path> files, Path current, Slot slot) {
      this.files = files;
      this.current = current;
      this.slot = slot;
    }

    /** Moves {@link #head} to the next record; false at the end of the last file. */
    boolean advance() throws IOException {
      while (true) {
        if (lines == null) {
          if (next == files.size()) {
            return false;
          }
          reading = files.get(next++);
          try {
            in = Files.newInputStream(reading);
          } catch (NoSuchFileException e) {
            continue; // rolled away since it was listed
          }
          lines = new Lines(in);
        }
        byte[] line = lines.next();
        if (line == null) {
          if (reading.equals(current)) {
            slot.position = lines.consumed;
          }
          close();
          continue;
        }
        Record record = parse(line);
        if (record != null) {
          head = record;
          return true;
        }
      }
    }

    @Override
    public void close() throws IOException {
      if (in != null) {
        in.close();
        in = null;
        lines = null;
      }
    }
  }

  /** Whole lines of a stream, without their {@code \n}; a last line without one is left unread. */
  private static final class Lines {
    private final InputStream in;
    private final byte[] buffer = new byte[1 << 16];
    private int start;
    private int end;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    long consumed;

    Lines(InputStream in) {
      this.in = in;
    }

    byte[] next() throws IOException {
      line.reset();
      while (true) {
        for (int i = start; i < end; i++) {
          if (buffer[i] == '\n') {
            line.write(buffer, start, i - start);
            start = i + 1;
            consumed += line.size() + 1;
            return line.toByteArray();
          }
        }
        line.write(buffer, start, end - start);
        start = 0;
        end = in.read(buffer);
        if (end < 0) {
          end = 0;
          return null; // the end, or a line still being written: it is read again next time
        }
      }
    }
  }
}
