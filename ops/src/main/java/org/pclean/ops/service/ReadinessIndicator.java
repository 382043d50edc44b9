package org.pclean.ops.service;

import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;

/**
 * The service's own readiness as a Micronaut health indicator: /health and /health/readiness are DOWN, HTTP 503,
 * until the service's check passes. Deliberately not a liveness indicator: /health/liveness says only that the
 * process answers (and has no deadlocked threads), so an orchestrator does not restart every service while their
 * Kafka is unreachable (a restarted worker hands its task back to be imaged again) but stops routing to them.
 */
@Singleton
@Readiness
final class ReadinessIndicator implements HealthIndicator {
  private final ServiceHttp.Service service;

  ReadinessIndicator(ServiceHttp.Service service) {
    this.service = service;
  }

  @Override
  public Publisher<HealthResult> getResult() {
    // Asked on each request: the answer is now, not from the last poll.
    org.pclean.ops.service.Readiness r = service.check().check();
    return Publishers.just(HealthResult.builder("pclean-" + service.name(),
        r.ready() ? HealthStatus.UP : HealthStatus.DOWN).details(r.details()).build());
  }
}
