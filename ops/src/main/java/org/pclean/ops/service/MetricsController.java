package org.pclean.ops.service;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/**
 * {@code GET /metrics}: every meter of the process in Prometheus text format (Micronaut's own /metrics endpoint,
 * JSON, is switched off in favour of this one, which is what a Prometheus scrape config expects by default).
 */
@Controller("/metrics")
final class MetricsController {
  private final PrometheusMeterRegistry registry;

  MetricsController(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  @Get(produces = "text/plain; version=0.0.4; charset=utf-8")
  String scrape() {
    return registry.scrape();
  }
}
