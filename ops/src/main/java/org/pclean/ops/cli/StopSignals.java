package org.pclean.ops.cli;

import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM and SIGINT for the long-running services: the first asks for a clean stop (the service finishes what it
 * holds, leaves its groups and the command exits 0); a second one ends the process at once (exit 1), for an
 * operator who does not want to wait. Uses sun.misc.Signal (module jdk.unsupported, present in every JDK): a
 * shutdown hook cannot choose the exit status, and the JVM exits 143 after a SIGTERM.
 */
final class StopSignals {
  private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);

  private StopSignals() {}

  /**
   * Installs the handlers; false where SIGTERM cannot be handled. SIGINT may be refused alone (a process started
   * in the background inherits it ignored, and the JVM then leaves it so).
   */
  static boolean install(Runnable onFirst) {
    AtomicInteger received = new AtomicInteger();
    boolean term = false;
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        // Qualified, not imported: javadoc reads no method body, so it does not warn of the internal API.
        sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
          if (received.incrementAndGet() == 1) {
            LOG.info("SIG" + sig.getName() + ": stopping cleanly (signal again to stop at once)");
            onFirst.run();
          } else {
            LOG.warn("SIG" + sig.getName() + " again: stopping at once");
            Runtime.getRuntime().halt(1);
          }
        });
        term = true;  // TERM comes first: without it nothing else is installed (the shutdown hook takes over)
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        LOG.debug("cannot handle SIG" + name + ": " + e.getMessage());
        if (!term) {
          return false;
        }
      }
    }
    return term;
  }
}
