package io.github.keepaliveagent.it.thirdparty;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The control for {@link KafkaOldClientTest}: the README's broker and old client, both without the
 * agent. Kafka turns SO_KEEPALIVE on for accepted sockets itself (the fix for KAFKA-2096), but the
 * timer then counts down from the kernel's 7200 s, not from KEEPIDLE.
 */
@Tag("thirdparty")
class KafkaBrokerWithoutAgentTest {

    private static KafkaExample kafka;

    @BeforeAll
    static void startBrokerWithoutTheAgent() throws Exception {
        kafka = new KafkaExample(false);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void theBrokersConnectionsFromTheClientKeepTheKernelsIdle() throws Exception {
        try (Program client = kafka.startClient(false)) {
            client.awaitReady();
            var clientSide = Ss.assertKernelDefaultKeepalive(client.pid(), c -> c.peerPort == kafka.brokerPort, 3,
                    client);
            Ss.assertKernelDefaultKeepalive(kafka.broker.pid(), kafka.fromClient(clientSide), clientSide.size(),
                    kafka.broker);
            // Its controller channel too: Kafka's own SO_KEEPALIVE everywhere, never an idle time.
            Ss.assertKernelDefaultKeepalive(kafka.broker.pid(), c -> true, clientSide.size() + 2, kafka.broker);
        }
    }
}
