package org.pclean.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The base client config's layers: file < PCLEAN_KAFKA_* variables < the bootstrap servers given. */
class KafkaClientConfigTest {
  @TempDir Path tmp;

  @Test
  void fileThenEnvironmentThenFlags() throws Exception {
    Path file = tmp.resolve("site.properties");
    Files.writeString(file, "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nbootstrap.servers=ignored:1\n"
        + "ssl.truststore.location=/etc/site/trust.p12\n");
    Properties p = KafkaClientConfig.forCluster("kafka:9092", file, Map.of(
        "PCLEAN_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512", "PCLEAN_KAFKA_CLIENT_ID", "site-a", "HOME", "/root"));
    assertEquals("kafka:9092", p.getProperty("bootstrap.servers"), "the flag wins");
    assertEquals("SASL_SSL", p.getProperty("security.protocol"));
    assertEquals("SCRAM-SHA-512", p.getProperty("sasl.mechanism"), "the environment overrides the file");
    assertEquals("/etc/site/trust.p12", p.getProperty("ssl.truststore.location"));
    assertEquals(5, p.size(), "nothing else: " + p);
    assertEquals("site-a-worker-0", KafkaClientConfig.clientId(p, "worker-0"));
    assertEquals("worker-0", KafkaClientConfig.clientId(new Properties(), "worker-0"));
  }

  @Test
  void theFileCanBeNamedByTheEnvironmentAndAMissingOneIsOneLine() {
    Path file = tmp.resolve("absent.properties");
    var e = assertThrows(IllegalArgumentException.class, () -> KafkaClientConfig.forCluster("kafka:9092", null,
        Map.of(KafkaClientConfig.FILE_VARIABLE, file.toString())));
    assertTrue(e.getMessage().startsWith("--kafka-config: cannot read " + file), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> KafkaClientConfig.forCluster(" ", null, Map.of()));
  }
}
