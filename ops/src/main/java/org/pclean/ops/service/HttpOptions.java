package org.pclean.ops.service;

import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Option;

/**
 * {@code --http-port} of the long-running services. Absent: no HTTP server. The server, and the admin client
 * its checks read the cluster with, stop with the service.
 */
public final class HttpOptions {
  @Option(names = "--http-port", description = "serve GET /health and GET /metrics (Prometheus) on this port;"
      + " 0: any free port, printed at start; absent: no HTTP server")
  Integer httpPort;

  /** The running server with its admin client; close() stops both. */
  public record Served(ServiceHttp http, Admin admin) implements AutoCloseable {
    @Override
    public void close() {
      http.close();
      admin.close(java.time.Duration.ofSeconds(2));
    }
  }

  public boolean given() {
    return httpPort != null;
  }

  /**
   * Starts the server for the service when --http-port was given (else null), with a readiness check made from an
   * admin client of the service's cluster config; prints the bound port.
   */
  public Served start(String service, Properties client, Function<Admin, Readiness.Check> check) {
    if (httpPort == null) {
      return null;
    }
    Admin admin = Admin.create(client);
    try {
      ServiceHttp http = ServiceHttp.start(service, httpPort, check.apply(admin));
      System.out.println("pclean " + service + ": HTTP on port " + http.port() + " (GET /health, GET /metrics)");
      return new Served(http, admin);
    } catch (RuntimeException e) {
      admin.close();
      throw e;
    }
  }

  /** Closes a server started by {@link #start}, if any. */
  public static void stop(Served served) {
    if (served != null) {
      served.close();
    }
  }
}
