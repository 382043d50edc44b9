package org.pclean.ops.service;

import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Liveness;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;

/**
 * The service's own readiness as a Micronaut health indicator: /health (and /health/readiness) is DOWN, HTTP
 * 503, until the service's check passes. It is also a liveness indicator: a service that lost its cluster or
 * group is restarted by an orchestrator rather than left waiting.
 */
@Singleton
@Readiness
@Liveness
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
