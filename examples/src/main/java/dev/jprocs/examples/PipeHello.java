package dev.jprocs.examples;

import dev.jprocs.coordinator.process.JvmProcess;
import dev.jprocs.worker.child.Child;
import dev.jprocs.worker.child.Pipe;

/** Python's Pipe example: the parent sends "Hello!", the child answers "you sent me Hello!". */
public final class PipeHello {
  private PipeHello() {}

  public static void main(String[] args) throws Exception {
    JvmProcess child = JvmProcess.of(Echo.class).start();
    child.pipe().send("Hello!");
    System.out.println(child.pipe().recv(String.class));
    child.join();
  }

  /** The child: answers one message, then closes its end. */
  public static final class Echo {
    public static void main(String[] args) throws Exception {
      Pipe pipe = Child.pipe();
      pipe.send("you sent me " + pipe.recv(String.class));
      pipe.close();
    }
  }
}
