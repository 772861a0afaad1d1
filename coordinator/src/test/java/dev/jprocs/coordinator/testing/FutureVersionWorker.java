package dev.jprocs.coordinator.testing;

import dev.jprocs.protocol.Codec;
import dev.jprocs.protocol.Message;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;

/** A stand-in worker main that announces a protocol version from the future, then waits. */
public final class FutureVersionWorker {
  private FutureVersionWorker() {}

  public static void main(String[] args) throws IOException {
    FileOutputStream out = new FileOutputStream(FileDescriptor.out);
    out.write(Codec.encode(new Message.Hello(99, ProcessHandle.current().pid(), args[1])));
    out.flush();
    // Waits to be killed; a task arriving here would be a bug, and says so on stderr.
    int read = new FileInputStream(FileDescriptor.in).read();
    if (read >= 0) {
      System.err.println("a byte arrived after hello: " + (char) read);
    }
  }
}
