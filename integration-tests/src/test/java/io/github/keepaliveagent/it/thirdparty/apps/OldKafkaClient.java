package io.github.keepaliveagent.it.thirdparty.apps;

import java.util.Collections;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;

/**
 * An application on an old Kafka client (kafka-clients 0.10.2): produces three messages, consumes
 * them back in a consumer group, prints {@code ready pid=...}, then keeps polling as a consumer
 * does, for a bounded time. Written against the 0.10 API only. Args: bootstrap servers, topic,
 * seconds to hold. See examples/kafka-old-client/README.md.
 */
public final class OldKafkaClient {

    private static final int MESSAGES = 3;

    private OldKafkaClient() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        long holdSeconds = Long.parseLong(args[2]);

        Properties producerConfig = new Properties();
        producerConfig.put("bootstrap.servers", bootstrap);
        producerConfig.put("acks", "all");
        producerConfig.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
        producerConfig.put("value.serializer", "org.apache.kafka.common.serialization.StringSerializer");
        Properties consumerConfig = new Properties();
        consumerConfig.put("bootstrap.servers", bootstrap);
        consumerConfig.put("group.id", "keepalive-demo");
        consumerConfig.put("auto.offset.reset", "earliest");
        consumerConfig.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        consumerConfig.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig);
                KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
            // The usual consumer shutdown: on SIGTERM/Ctrl-C wake the poll up, let main close both
            // clients (the consumer leaves its group at once instead of timing out).
            Thread main = Thread.currentThread();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                consumer.wakeup();
                try {
                    main.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            for (int i = 0; i < MESSAGES; i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + i, "message-" + i)).get(60, TimeUnit.SECONDS);
            }
            System.out.println("produced " + MESSAGES + " messages to " + topic);

            consumer.subscribe(Collections.singletonList(topic));
            int consumed = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (consumed < MESSAGES) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("consumed only " + consumed + " of " + MESSAGES + " in 60 s");
                }
                for (ConsumerRecord<String, String> record : consumer.poll(500)) {
                    System.out.println("consumed " + record.key() + "=" + record.value());
                    consumed++;
                }
            }
            System.out.println("ready pid=" + ProcessHandle.current().pid() + " consumed=" + consumed);

            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(holdSeconds);
            while (System.nanoTime() < end) {
                consumer.poll(1000);
            }
        } catch (WakeupException e) {
            System.out.println("stopping");
        }
    }
}
