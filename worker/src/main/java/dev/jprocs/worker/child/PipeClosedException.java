package dev.jprocs.worker.child;

import java.io.EOFException;

/**
 * The other end of a {@link Pipe} is closed, or its process is gone: Python's {@code EOFError}
 * from {@code recv()}, and its {@code BrokenPipeError} from {@code send()}. Everything sent before
 * the end has been received first. The message says which process and, when known, how it ended.
 */
public class PipeClosedException extends EOFException {
  public PipeClosedException(String message) {
    super(message);
  }
}
