package org.pclean.ops.service;

import java.util.Map;

/**
 * Whether a service can do its work now, with the facts that decided it (shown under /health's details).
 *
 * @param ready connected to the cluster and a member of its group (Streams: RUNNING, stores restored)
 * @param details name to value, e.g. {@code cluster: localhost:9092}, {@code group pclean-workers: 2 members}
 */
public record Readiness(boolean ready, Map<String, Object> details) {
  /** What a service answers when asked whether it is ready; called on each /health request. */
  @FunctionalInterface
  public interface Check {
    Readiness check();
  }
}
