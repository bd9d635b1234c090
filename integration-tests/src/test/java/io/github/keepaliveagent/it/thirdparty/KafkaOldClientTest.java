package io.github.keepaliveagent.it.thirdparty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An application on kafka-clients 0.10.2.2 producing to and consuming from a Kafka 3.9.2 broker
 * (KRaft, its own JVM, jars from Maven Central), both exactly as examples/kafka-old-client/README.md
 * runs them: the broker with the agent through JAVA_TOOL_OPTIONS, the client with -javaagent.
 * Checked from outside with ss. One broker for the class.
 */
@Tag("thirdparty")
class KafkaOldClientTest {

    private static KafkaExample kafka;

    @BeforeAll
    static void startBrokerWithTheAgent() throws Exception {
        kafka = new KafkaExample(true);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void theOldClientsConnectionsToTheBrokerHaveTheAgentsTimer() throws Exception {
        try (Program client = kafka.startClient(true)) {
            client.awaitReady();
            // Producer and consumer: at least the partition leader (twice) and the group coordinator.
            Ss.assertAgentTimers(client.pid(), c -> c.peerPort == kafka.brokerPort, 3, client);
        }
    }

    @Test
    void withoutItsAgentTheOldClientKeepsTheKernelsIdleWhileTheBrokersAgentSetsTheBrokerSide() throws Exception {
        try (Program client = kafka.startClient(false)) {
            client.awaitReady();
            // Kafka's clients turn SO_KEEPALIVE on themselves; without the agent the idle time is the kernel's.
            List<Ss.Connection> clientSide = Ss.assertKernelDefaultKeepalive(client.pid(),
                    c -> c.peerPort == kafka.brokerPort, 3, client);
            // The broker's end of each of those connections is the agent's (accepted sockets).
            List<Ss.Connection> brokerSide = Ss.assertAgentTimers(kafka.broker.pid(), kafka.fromClient(clientSide),
                    clientSide.size(), kafka.broker);
            assertEquals(clientSide.size(), brokerSide.size(), Ss.lines(brokerSide));
            // And every other connection of the broker process too (its controller channel, both ends).
            Ss.assertAgentTimers(kafka.broker.pid(), c -> true, clientSide.size() + 2, kafka.broker);
        }
    }
}
