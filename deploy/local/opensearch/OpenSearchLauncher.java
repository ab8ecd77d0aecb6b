import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.http.BindHttpException;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.BindTransportException;
import org.opensearch.transport.Netty4Plugin;

/**
 * One OpenSearch node in a plain JVM, from Maven Central's jars: what deploy/local runs as the
 * search engine's stand-in. Every argument is a setting, `key=value`; `path.home` is required and
 * holds the node's config, data and logs. It ends on SIGTERM (closing the node) and when its stdin
 * closes, i.e. when the process that started it is gone (the contract of orphan-guard.cjs).
 * A node that cannot start prints one line saying why, starting "opensearch: ", and exits with 1.
 */
public final class OpenSearchLauncher {
  // OpenSearch's distribution loads these as modules; here they are plugins on the classpath.
  private static final List<Class<? extends Plugin>> PLUGINS =
      List.of(Netty4Plugin.class, CommonAnalysisPlugin.class, PainlessPlugin.class, MapperExtrasPlugin.class);

  private static final String LOG_CONFIG = """
      status = error
      appender.console.type = Console
      appender.console.name = console
      appender.console.layout.type = PatternLayout
      appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] %marker%m%n
      rootLogger.level = info
      rootLogger.appenderRef.console.ref = console
      """;

  /** Node's constructor that takes the plugins is protected. */
  private static final class LocalNode extends Node {
    LocalNode(Environment environment) {
      super(environment, PLUGINS, true);
    }
  }

  private OpenSearchLauncher() {}

  public static void main(String[] args) throws InterruptedException {
    Settings settings = parse(args);
    Node node;
    try {
      node = start(settings);
    } catch (Throwable error) {
      System.err.println("opensearch: " + explain(error, settings));
      System.err.flush();
      Runtime.getRuntime().halt(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> close(node, stopped), "opensearch-shutdown"));
    watchStdin();
    System.out.println("opensearch: node started");
    System.out.flush();
    // OpenSearch's own threads are daemons; this keeps the JVM alive until a signal ends it.
    stopped.await();
  }

  private static Settings parse(String[] args) {
    Settings.Builder builder = Settings.builder();
    for (String arg : args) {
      int equals = arg.indexOf('=');
      if (equals <= 0) usage("not a key=value setting: " + arg);
      builder.put(arg.substring(0, equals), arg.substring(equals + 1));
    }
    Settings settings = builder.build();
    if (settings.get("path.home") == null) usage("path.home=<dir> is required");
    return settings;
  }

  private static void usage(String problem) {
    System.err.println("opensearch: " + problem + " (usage: OpenSearchLauncher path.home=<dir> [key=value ...])");
    System.exit(2);
  }

  private static Node start(Settings settings) throws Exception {
    Path config = Path.of(settings.get("path.home")).resolve("config");
    Files.createDirectories(config);
    Files.writeString(config.resolve("log4j2.properties"), LOG_CONFIG);
    LogConfigurator.registerErrorListener();
    Environment environment =
        InternalSettingsPreparer.prepareEnvironment(settings, Collections.emptyMap(), config, () -> "local");
    LogConfigurator.setNodeName(Node.NODE_NAME_SETTING.get(environment.settings()));
    LogConfigurator.configure(environment);
    Node node = new LocalNode(environment);
    try {
      return node.start();
    } catch (Throwable error) {
      node.close();
      throw error;
    }
  }

  private static String explain(Throwable error, Settings settings) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof BindHttpException) {
        return "HTTP port " + settings.get("http.port") + " is already in use (" + rootMessage(error) + ")";
      }
      if (cause instanceof BindTransportException) {
        return "transport port " + settings.get("transport.port") + " is already in use (" + rootMessage(error) + ")";
      }
      String message = cause.getMessage();
      if (message != null && message.contains("failed to obtain node locks")) {
        return "another node holds the data directory " + settings.get("path.data", settings.get("path.home"))
            + " (" + message + ")";
      }
    }
    StringBuilder chain = new StringBuilder("could not start: ");
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause != error) chain.append(": ");
      chain.append(cause.getClass().getSimpleName()).append(' ').append(cause.getMessage());
    }
    return chain.toString();
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null) root = root.getCause();
    return root.getMessage();
  }

  private static void close(Node node, CountDownLatch stopped) {
    try {
      node.close();
      node.awaitClose(10, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException error) {
      System.err.println("opensearch: closing the node failed: " + error);
    } finally {
      stopped.countDown();
    }
  }

  private static void watchStdin() {
    Thread watcher = new Thread(() -> {
      InputStream in = System.in;
      byte[] buffer = new byte[4096];
      try {
        while (in.read(buffer) >= 0) {
          // Nobody writes to us; only the end of the stream matters.
        }
      } catch (IOException ignored) {
        // A broken pipe means the same as its end.
      }
      System.exit(0);
    }, "opensearch-parent-watch");
    watcher.setDaemon(true);
    watcher.start();
  }
}
