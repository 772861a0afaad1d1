package dev.jprocs.coordinator.cli;

import dev.jprocs.coordinator.PoolEvents;
import dev.jprocs.coordinator.TaskFailure;
import dev.jprocs.coordinator.WorkerExit;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The run's progress bar on a terminal's stderr: inputs done of the run's total, elapsed time and
 * ETA, then failed inputs, retried chunks and worker deaths, counted from the same pool events the
 * event log records. An input is done when its outcome arrives: a result's outputs that are not
 * errors, and each {@link PoolEvents#inputFailed} (task errors, inputs lost with their workers,
 * cancelled or refused ones).
 *
 * <p>Nothing is drawn until the display has existed for {@code delay}, so a short run prints
 * nothing at all; {@link #close} leaves the final bar on a line of its own, or nothing if it never
 * showed. The bar is one line redrawn after a carriage return and erased with spaces: no ANSI
 * codes, no terminal queries. Rendering, ETA and the refresh timer are me.tongfei:progressbar's;
 * its own console consumers are not used, since they build a jline terminal (which answers for
 * stdin and stdout, not stderr, and takes over SIGINT).
 *
 * <p>Threads: the event methods run on the pool's threads and only count. The library draws on
 * its own {@code ProgressBar} thread every {@value #REFRESH_MILLIS} ms. {@link #guard} streams
 * are written by any thread. All writes to the terminal hold one lock, so a line written through
 * a guard never lands in the middle of the bar.
 */
final class ProgressDisplay implements PoolEvents, AutoCloseable {
  /** How long a run goes before its bar appears when the bar is not asked for. */
  static final Duration DELAY = Duration.ofSeconds(1);
  static final int REFRESH_MILLIS = 200;
  /** The width used when the terminal's is not known. */
  static final int DEFAULT_COLUMNS = 80;

  private final Object screen = new Object();
  private final PrintStream terminal;
  private final int width;
  private final long showAfterNanos;
  private final long startNanos = System.nanoTime();
  private final Line line = new Line();
  private final ProgressBar bar;
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicInteger retried = new AtomicInteger();
  private final AtomicInteger deaths = new AtomicInteger();

  /** Guarded by {@link #screen}: the width of the bar now on the line, 0 when there is none. */
  private int drawn;
  /** Guarded by {@link #screen}. */
  private boolean closed;

  /**
   * Starts the display (its refresh timer) for {@code total} inputs of {@code task}, drawing on
   * {@code terminal}, {@code columns} wide, from {@code delay} on. Called on the main thread.
   */
  ProgressDisplay(String task, long total, PrintStream terminal, int columns, Duration delay) {
    this.terminal = terminal;
    this.width = Math.max(columns, 20) - 1; // the last column would wrap on some terminals
    this.showAfterNanos = delay.toNanos();
    this.bar = new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(total)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(REFRESH_MILLIS)
        .continuousUpdate() // elapsed time and ETA move while a long input runs
        .setConsumer(line)
        .build();
  }

  @Override
  public void resultReceived(String workerId, long pid, long taskId, int attempt, int outputs,
      int errors) {
    bar.stepBy(outputs - errors); // the errors are counted by inputFailed, which follows
  }

  @Override
  public void inputFailed(TaskFailure failure) {
    failed.incrementAndGet();
    bar.stepBy(1);
    bar.setExtraMessage(extra());
  }

  @Override
  public void taskRetried(long taskId, String task, long firstRank, int count, String reason) {
    retried.incrementAndGet();
    bar.setExtraMessage(extra());
  }

  @Override
  public void workerDied(WorkerExit exit, String description) {
    deaths.incrementAndGet();
    bar.setExtraMessage(extra());
  }

  /** Inputs done so far: outputs and failures. */
  long done() {
    return bar.getCurrent();
  }

  /** What follows the bar: "3 failed, 2 retried, 1 worker died", or nothing. */
  private String extra() {
    List<String> parts = new ArrayList<>(3);
    if (failed.get() > 0) {
      parts.add(failed.get() + " failed");
    }
    if (retried.get() > 0) {
      parts.add(retried.get() + " retried");
    }
    if (deaths.get() > 0) {
      parts.add(deaths.get() + (deaths.get() == 1 ? " worker died" : " workers died"));
    }
    return parts.isEmpty() ? "" : " " + String.join(", ", parts);
  }

  /**
   * A stream to {@code target} that first erases the bar from the line, so what is written there
   * starts in the first column; the next refresh draws the bar again below it. For stderr's other
   * writers (the log) and for stdout when it is the same terminal. Writes only {@code target}'s
   * bytes to {@code target}; the erasing goes to this display's terminal.
   */
  PrintStream guard(PrintStream target) {
    return new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (screen) {
          eraseLocked();
          target.write(b);
        }
      }

      @Override
      public void write(byte[] bytes, int off, int len) {
        synchronized (screen) {
          eraseLocked();
          target.write(bytes, off, len);
        }
      }

      @Override
      public void flush() {
        target.flush();
      }
    }, true);
  }

  /**
   * Draws the final state and ends its line, or prints nothing if the bar never showed; stops the
   * refresh timer. Waits for the library's last refresh. Idempotent; called on the main thread.
   */
  @Override
  public void close() {
    // The final refresh and Line.close run on the ProgressBar thread before this returns; the
    // second Line.close covers a bar closed before its timer first ran, which the library
    // then does not close.
    bar.close();
    line.close();
  }

  private void eraseLocked() {
    if (drawn > 0) {
      terminal.print("\r" + " ".repeat(drawn) + "\r");
      drawn = 0;
    }
  }

  /** Where the library's refreshes go, on its ProgressBar thread. */
  private final class Line implements ProgressBarConsumer {
    @Override
    public int getMaxRenderedLength() {
      return width;
    }

    @Override
    public void accept(String rendered) {
      synchronized (screen) {
        if (closed || System.nanoTime() - startNanos < showAfterNanos) {
          return;
        }
        String text = rendered.length() > width ? rendered.substring(0, width) : rendered;
        int pad = Math.max(drawn - text.length(), 0); // spaces over what is left of a longer bar
        terminal.print("\r" + text + " ".repeat(pad));
        terminal.flush();
        drawn = text.length() + pad;
      }
    }

    @Override
    public void clear() {
      synchronized (screen) {
        eraseLocked();
      }
    }

    @Override
    public void close() {
      synchronized (screen) {
        if (drawn > 0) {
          terminal.println();
        }
        drawn = 0;
        closed = true;
        terminal.flush();
      }
    }
  }
}
