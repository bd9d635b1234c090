package io.github.keepaliveagent.it.thirdparty.apps;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

/**
 * Apache Derby's network client (derbyclient's JDBC driver, found by DriverManager): one connection
 * to a Derby network server, one query, then held. Args: JDBC URL
 * (jdbc:derby://127.0.0.1:PORT/memory:db;create=true), seconds to hold.
 */
public final class DerbyClientApp {

    private DerbyClientApp() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        long holdSeconds = Long.parseLong(args[1]);
        try (Connection connection = DriverManager.getConnection(url);
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("VALUES 1")) {
            if (!result.next()) {
                throw new IllegalStateException("no row");
            }
            System.out.println("server " + connection.getMetaData().getDatabaseProductName() + " "
                    + connection.getMetaData().getDatabaseProductVersion());
            System.out.println("ready pid=" + ProcessHandle.current().pid());
            Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
        }
    }
}
