package org.pclean.ops.service;

import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.pclean.ops.dashboard.Dashboard;
import picocli.CommandLine.Option;

/**
 * {@code --http-port} of the long-running services. Absent: no HTTP server. The server, and the admin client
 * its checks read the cluster with, stop with the service.
 */
public final class HttpOptions {
  @Option(names = "--http-port", description = "serve GET /health and GET /metrics (Prometheus) on this port;"
      + " 0: any free port, printed at start; absent: no HTTP server")
  Integer httpPort;

  @Option(names = "--dashboard", description = "also serve the live web dashboard (jobs, convergence, sub-cubes,"
      + " snapshots, previews, workers) at / of the HTTP port (any free port when --http-port is absent)")
  boolean dashboard;

  /** The running server with its admin client and job board; close() stops them. */
  public record Served(ServiceHttp http, Admin admin, Dashboard dashboard) implements AutoCloseable {
    @Override
    public void close() {
      http.close();
      dashboard.close();
      admin.close(java.time.Duration.ofSeconds(2));
    }

    /** Where the dashboard page is, or null without --dashboard. */
    public String dashboardUrl() {
      return dashboard.page() ? "http://" + host() + ":" + http.port() + "/" : null;
    }

    private static String host() {
      try {
        return java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        return "localhost";
      }
    }
  }

  public HttpOptions() {}

  /** Options given in code (the one-shot CLI's own flags). */
  public HttpOptions(Integer httpPort, boolean dashboard) {
    this.httpPort = httpPort;
    this.dashboard = dashboard;
  }

  public boolean given() {
    return httpPort != null || dashboard;
  }

  /**
   * Starts the server for the service when --http-port was given (else null), with a readiness check made from an
   * admin client of the service's cluster config; prints the bound port.
   */
  public Served start(String service, Properties client, Function<Admin, Readiness.Check> check) {
    if (!given()) {
      return null;
    }
    Admin admin = Admin.create(client);
    Dashboard board = null;
    try {
      // The board always runs beside the server (it feeds pclean_job_progress); the page only with --dashboard.
      board = Dashboard.start(client, admin, dashboard);
      ServiceHttp http = ServiceHttp.start(service, httpPort == null ? 0 : httpPort, check.apply(admin), board);
      Served served = new Served(http, admin, board);
      System.out.println("pclean " + service + ": HTTP on port " + http.port() + " (GET /health, GET /metrics)"
          + (dashboard ? "; dashboard at " + served.dashboardUrl() : ""));
      return served;
    } catch (RuntimeException e) {
      if (board != null) {
        board.close();
      }
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
