package io.github.keepaliveagent.it.thirdparty.apps;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

/**
 * pgjdbc with its default options (tcpKeepAlive=false: the driver calls
 * {@code socket.setKeepAlive(false)} on its connection): one connection, one query, then held.
 * Args: JDBC URL, seconds to hold.
 */
public final class PgJdbcApp {

    private PgJdbcApp() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        long holdSeconds = Long.parseLong(args[1]);
        try (Connection connection = DriverManager.getConnection(url);
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("select version()")) {
            if (!result.next()) {
                throw new IllegalStateException("no row");
            }
            System.out.println("server " + result.getString(1));
            System.out.println("ready pid=" + ProcessHandle.current().pid());
            Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
        }
    }
}
