package org.pclean.ops.config;

import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.pclean.bus.TopicInstaller;
import org.pclean.bus.Topics;

/**
 * A service's first contact with its cluster: reach it with the base client config, then create pclean's topics
 * where missing. What goes wrong is one sentence naming the cluster and the fix (the CLI prints it and exits 2):
 * no credentials configured, credentials refused, an operation the principal has no ACL for, or no answer (a
 * PLAINTEXT client at a TLS listener just sees silence).
 */
public final class ClusterAccess {
  private static final long PROBE_SECONDS = 20;

  private ClusterAccess() {}

  /** Reaches the cluster of client and ensures pclean's topics; IllegalArgumentException with the reason. */
  public static void ensureTopics(Properties client, short replicationFactor) throws InterruptedException {
    contact(client, admin -> TopicInstaller.ensure(admin, Topics.all(), replicationFactor));
  }

  /** Reaches the cluster of client and changes nothing (a read-only command); IllegalArgumentException as above. */
  public static void probe(Properties client) throws InterruptedException {
    contact(client, admin -> { });
  }

  private interface AdminStep {
    void run(Admin admin) throws InterruptedException;
  }

  private static void contact(Properties client, AdminStep then) throws InterruptedException {
    String bootstrap = client.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    Properties p = new Properties();
    p.putAll(client);
    // Fail within the probe rather than Kafka's default minute of retries.
    p.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(PROBE_SECONDS * 1000 / 2));
    p.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(PROBE_SECONDS * 1000));
    Admin admin;
    try {
      admin = Admin.create(p);
    } catch (KafkaException e) {
      throw refused(bootstrap, e);
    }
    try (admin) {
      admin.describeCluster().clusterId().get(PROBE_SECONDS, TimeUnit.SECONDS);
      then.run(admin);
    } catch (ExecutionException e) {
      throw refused(bootstrap, e.getCause());
    } catch (TimeoutException e) {
      throw refused(bootstrap, e);
    } catch (IllegalStateException e) {
      throw refused(bootstrap, e.getCause() instanceof ExecutionException x ? x.getCause() : e);
    }
  }

  /** The one-line reason for a failure talking to bootstrap. */
  public static IllegalArgumentException refused(String bootstrap, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AuthenticationException) {
        return new IllegalArgumentException("the cluster at " + bootstrap + " refused the credentials: "
            + t.getMessage());
      }
      if (t instanceof AuthorizationException) {
        return new IllegalArgumentException("the cluster at " + bootstrap + " denies this principal: "
            + t.getMessage() + " (grant the ACLs listed in the README, Security)");
      }
      if (t.getMessage() != null && t.getMessage().contains("JAAS configuration")) {
        return new IllegalArgumentException("no SASL credentials for " + bootstrap + ": set sasl.jaas.config in"
            + " --kafka-config or PCLEAN_KAFKA_SASL_JAAS_CONFIG");
      }
      if (t instanceof TimeoutException || t instanceof org.apache.kafka.common.errors.TimeoutException) {
        return new IllegalArgumentException("no answer from the cluster at " + bootstrap + " within " + PROBE_SECONDS
            + " s (is it up? a SASL_SSL or SSL listener does not answer a client with another security.protocol)");
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return new IllegalArgumentException("cannot use the cluster at " + bootstrap + ": " + e.getMessage()
        + (root != e ? " (" + root.getMessage() + ")" : ""));
  }
}
