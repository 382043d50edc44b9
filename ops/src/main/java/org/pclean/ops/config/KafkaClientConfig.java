package org.pclean.ops.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * The one builder of the base Kafka client configuration that every producer, consumer, admin client and
 * Streams app of pclean starts from (each adds only its own role's settings): the cluster's bootstrap servers
 * plus whatever the site needs to reach it — security.protocol, sasl.mechanism, sasl.jaas.config,
 * ssl.truststore.*, ssl.keystore.*, client.id and any other client property. Layers, later wins:
 * <ol>
 *   <li>a Java properties file: {@code --kafka-config FILE}, else the file named by {@code PCLEAN_KAFKA_CONFIG};</li>
 *   <li>environment variables {@code PCLEAN_KAFKA_<PROPERTY>}, the property upper-cased with dots as underscores
 *       ({@code PCLEAN_KAFKA_SASL_JAAS_CONFIG} is {@code sasl.jaas.config});</li>
 *   <li>the bootstrap servers given on the command line.</li>
 * </ol>
 * {@code client.id} is a prefix: Kafka Streams derives its threads' client ids from it, a worker appends its own
 * id; the other clients use it as it is (so broker quotas and logs name the site's application).
 */
public final class KafkaClientConfig {
  /** The environment variable naming a properties file when no --kafka-config is given. */
  public static final String FILE_VARIABLE = "PCLEAN_KAFKA_CONFIG";
  /** The prefix of environment variables that carry one client property each. */
  public static final String VARIABLE_PREFIX = "PCLEAN_KAFKA_";

  private KafkaClientConfig() {}

  /** The base config for the cluster at bootstrap, with this process's environment. */
  public static Properties forCluster(String bootstrap, Path file) {
    return forCluster(bootstrap, file, System.getenv());
  }

  /** The base config for the cluster at bootstrap; file may be null (then env's PCLEAN_KAFKA_CONFIG, if any). */
  public static Properties forCluster(String bootstrap, Path file, Map<String, String> env) {
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException("the cluster's bootstrap servers (--bootstrap-servers or"
          + " --scheduler-address) are required");
    }
    Properties p = new Properties();
    Path from = file != null ? file : env.containsKey(FILE_VARIABLE) ? Path.of(env.get(FILE_VARIABLE)) : null;
    if (from != null) {
      try (Reader in = Files.newBufferedReader(from)) {
        p.load(in);
      } catch (IOException e) {
        throw new IllegalArgumentException("--kafka-config: cannot read " + from + ": " + e.getMessage());
      }
    }
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getKey().startsWith(VARIABLE_PREFIX) && !e.getKey().equals(FILE_VARIABLE)) {
        p.setProperty(property(e.getKey()), e.getValue());
      }
    }
    p.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return p;
  }

  /** PCLEAN_KAFKA_SSL_TRUSTSTORE_LOCATION -> ssl.truststore.location. */
  static String property(String variable) {
    return variable.substring(VARIABLE_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }

  /** The client.id prefix of the config plus a component's own name (the name alone without a prefix). */
  public static String clientId(Properties base, String name) {
    String prefix = base.getProperty(CommonClientConfigs.CLIENT_ID_CONFIG);
    return prefix == null || prefix.isBlank() ? name : prefix + "-" + name;
  }
}
