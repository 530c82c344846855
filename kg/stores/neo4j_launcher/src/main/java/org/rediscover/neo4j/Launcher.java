package org.rediscover.neo4j;

import java.nio.file.Files;
import java.nio.file.Path;

import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.SettingImpl;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilder;
import org.neo4j.harness.Neo4jBuilders;
import org.neo4j.io.ByteUnit;

/**
 * Runs an embedded Neo4j 5 (community, from the test harness) with only Bolt on 127.0.0.1:port.
 *
 * Why a harness and not a server package: Debian has none and Docker is not available; Maven
 * Central has the harness. The HTTP server is disabled; auth is off (local development only).
 * Usage: Launcher PORT [WORKDIR]. Prints "BOLT bolt://127.0.0.1:PORT" once Bolt is listening and
 * runs until killed; a shutdown hook closes the database cleanly on SIGTERM.
 * Any Neo4j setting can be given as a system property {@code -Dneo4j.conf.<setting>=<value>}
 * (for example {@code -Dneo4j.conf.db.tx_log.rotation.retention_policy=1 files}).
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 7687;
        // The harness is tuned for tiny test databases; bulk loads need a real page cache.
        long pageCacheMb = Long.parseLong(System.getProperty("rediscover.pagecache.mb", "512"));
        Path work = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("rediscover-neo4j");
        Files.createDirectories(work);
        Neo4jBuilder builder = Neo4jBuilders.newInProcessBuilder(work)
                .withDisabledServer()
                .withConfig(BoltConnector.enabled, true)
                .withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .withConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb));
        Neo4j neo4j = withSystemPropertySettings(builder).build();
        Runtime.getRuntime().addShutdownHook(new Thread(neo4j::close));
        System.out.println("BOLT bolt://127.0.0.1:" + port);
        System.out.flush();
        Thread.currentThread().join();
    }

    /** Applies every {@code neo4j.conf.<name>} system property as the Neo4j setting {@code name}. */
    private static Neo4jBuilder withSystemPropertySettings(Neo4jBuilder builder) {
        String prefix = "neo4j.conf.";
        var declared = Config.defaults().getDeclaredSettings();
        for (String key : System.getProperties().stringPropertyNames()) {
            if (!key.startsWith(prefix)) {
                continue;
            }
            String name = key.substring(prefix.length());
            var setting = declared.get(name);
            if (setting == null) {
                throw new IllegalArgumentException("unknown Neo4j setting " + name);
            }
            Object value = ((SettingImpl<Object>) setting).parse(System.getProperty(key));
            builder = builder.withConfig(setting, value);
        }
        return builder;
    }
}
