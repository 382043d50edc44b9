package org.pclean.ops.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.JobMode;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.bus.avro.TileKind;

class EmbeddedKafkaBrokerTest {
  @TempDir Path tmp;

  private static KafkaProducer<String, JobSpec> jobProducer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return new KafkaProducer<>(p, new StringSerializer(), Messages.JOB_SPEC.serializer());
  }

  private static List<JobSpec> readJobs(String bootstrap, int expect) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + System.nanoTime());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<JobSpec> out = new ArrayList<>();
    try (var c = new KafkaConsumer<>(p, new StringDeserializer(), Messages.JOB_SPEC.deserializer())) {
      c.subscribe(List.of(Topics.JOBS.name()));
      long deadline = System.currentTimeMillis() + 20000;
      while (out.size() < expect && System.currentTimeMillis() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
      }
    }
    return out;
  }

  @Test
  void startsCreatesTopicsCarriesRecordsAndRestartsOnKeptData() throws Exception {
    Path data = tmp.resolve("kafka");
    JobSpec job = JobSpec.newBuilder().setJobId("j1").setState(JobState.SUBMITTED).setMode(JobMode.CUBE)
        .setVis("/x.ms").setImagename("o").build();
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(data)) {
      System.out.println("embedded broker started in " + broker.startupTime().toMillis() + " ms");
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
        Set<String> names = admin.listTopics().names().get(10, TimeUnit.SECONDS);
        for (Topics.Topic t : Topics.all()) {
          assertTrue(names.contains(t.name()), t.name());
        }
        var res = new ConfigResource(ConfigResource.Type.TOPIC, Topics.PARTIALS.name());
        var cfg = admin.describeConfigs(List.of(res)).all().get(10, TimeUnit.SECONDS).get(res);
        assertEquals(Integer.toString(Topics.MAX_RECORD_BYTES), cfg.get("max.message.bytes").value());
        var jobs = new ConfigResource(ConfigResource.Type.TOPIC, Topics.JOBS.name());
        assertEquals("compact", admin.describeConfigs(List.of(jobs)).all().get(10, TimeUnit.SECONDS).get(jobs)
            .get("cleanup.policy").value());
      }
      try (var producer = jobProducer(broker.bootstrapServers())) {
        producer.send(new ProducerRecord<>(Topics.JOBS.name(), "j1", job)).get(10, TimeUnit.SECONDS);
      }
      // A 3 MiB tile passes on a data topic (above Kafka's 1 MiB default) with matching producer limits.
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Topics.MAX_RECORD_BYTES));
      try (var tiles = new KafkaProducer<>(p, new StringSerializer(), Messages.IMAGE_TILE.serializer())) {
        ImageTile big = ImageTile.newBuilder().setJobId("j1").setCycle(0).setPartitionIndex(0)
            .setKind(TileKind.PSF).setTileIndex(0)
            .setX0(0).setY0(0).setWidth(768).setHeight(1024).setImageNx(768).setImageNy(1024)
            .setPixels(ByteBuffer.allocate(3 * 1024 * 1024)).build();
        tiles.send(new ProducerRecord<>(Topics.PARTIALS.name(), "j1/0/0", big)).get(10, TimeUnit.SECONDS);
      }
      assertEquals(List.of(job), readJobs(broker.bootstrapServers(), 1));
    }
    try (EmbeddedKafkaBroker again = EmbeddedKafkaBroker.start(data)) {
      System.out.println("embedded broker restarted in " + again.startupTime().toMillis() + " ms");
      assertEquals(List.of(job), readJobs(again.bootstrapServers(), 1));
    }
  }
}
