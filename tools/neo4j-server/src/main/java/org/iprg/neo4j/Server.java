package org.iprg.neo4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.api.procedure.GlobalProcedures;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.kernel.internal.Version;

/**
 * Runs Neo4j Community embedded with Bolt on 127.0.0.1.
 *
 * <p>Why a launcher instead of the Neo4j tarball: Maven Central is the only place this project can
 * fetch Neo4j from, and it only carries the jars. Configuration comes from the environment so that
 * no secret is ever written to the repository:
 *
 * <ul>
 *   <li>IPRG_NEO4J_HOME – data directory (required)</li>
 *   <li>IPRG_NEO4J_PORT – Bolt port (default 7687)</li>
 *   <li>NEO4J_PASSWORD – password of user neo4j (required, at least 8 characters)</li>
 *   <li>IPRG_NEO4J_PAGECACHE – page cache, e.g. 512m (default 512m)</li>
 *   <li>IPRG_NEO4J_LOADER – {@code off} leaves the bulk loader out (a plain Neo4j, as a remote
 *       server would be: what the mirror's fallback tests run against)</li>
 * </ul>
 *
 * <p>Registers {@link MirrorLoader} ({@code iprg.mirror.*}), the mirror's bulk first load, unless
 * IPRG_NEO4J_LOADER is {@code off}.
 *
 * <p>Prints one line {@code IPRG-NEO4J READY bolt://127.0.0.1:PORT version=X} once Bolt accepts
 * connections, and shuts the DBMS down cleanly on SIGTERM/SIGINT (a JVM shutdown hook).
 */
public final class Server {
    private Server() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        String home = env.get("IPRG_NEO4J_HOME");
        if (home == null || home.isBlank()) {
            fail("IPRG_NEO4J_HOME is not set");
        }
        String password = env.get("NEO4J_PASSWORD");
        if (password == null || password.length() < 8) {
            fail("NEO4J_PASSWORD must be set to at least 8 characters");
        }
        int port = Integer.parseInt(env.getOrDefault("IPRG_NEO4J_PORT", "7687"));
        String pageCache = env.getOrDefault("IPRG_NEO4J_PAGECACHE", "512m");

        Path homePath = Path.of(home).toAbsolutePath();
        Files.createDirectories(homePath);

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(homePath)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(pageCache))
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(5))
                .setConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(5))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("IPRG-NEO4J STOPPING");
            System.out.flush();
            try {
                dbms.shutdown();
            } finally {
                System.out.println("IPRG-NEO4J STOPPED");
                System.out.flush();
                stopped.countDown();
            }
        }, "iprg-neo4j-shutdown"));

        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            // A restart on an existing data folder with the same password: nothing to change.
            if (!String.valueOf(e.getMessage()).contains("Old password and new password cannot be the same")) {
                throw e;
            }
        }
        // Touch the default database so that it is online before we announce readiness.
        GraphDatabaseService neo4j = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        if (!"off".equals(env.getOrDefault("IPRG_NEO4J_LOADER", "on"))) {
            ((GraphDatabaseAPI) neo4j).getDependencyResolver()
                    .resolveDependency(GlobalProcedures.class)
                    .registerProcedure(MirrorLoader.class);
        }
        neo4j.executeTransactionally("RETURN 1");

        System.out.println("IPRG-NEO4J READY bolt://127.0.0.1:" + port + " version=" + Version.getNeo4jVersion());
        System.out.flush();
        stopped.await();
    }

    private static void fail(String message) {
        System.err.println("IPRG-NEO4J ERROR " + message);
        System.exit(2);
    }
}
