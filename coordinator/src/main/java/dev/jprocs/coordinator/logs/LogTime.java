package dev.jprocs.coordinator.logs;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The one time format of the run directory's files: ISO-8601 in UTC, to the microsecond. */
final class LogTime {
  /** Always six fraction digits, so the text sorts as the time does. */
  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private LogTime() {}

  /** {@code 2026-11-22T01:30:43.123456Z}; finer digits are dropped. */
  static String format(Instant time) {
    return MICROS.format(time);
  }
}
