package io.kfr.it.support.workload;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Jetty 12 answering "hello" on 127.0.0.1 until stdin closes: the server of the cost benchmark,
 * loaded from outside by wrk. Prints KFR-HELLO-PORT &lt;port&gt; when it listens.
 */
public final class HelloServer {
    private HelloServer() {
    }

    public static void main(String[] args) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ByteBuffer hello = ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII));
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.write(true, hello.slice(), callback);
                return true;
            }
        });
        server.start();
        System.out.println("KFR-HELLO-PORT " + connector.getLocalPort());
        System.out.flush();
        // the benchmark closes stdin to end the run: a normal exit, so kfr and JFR write their files
        while (System.in.read() >= 0) {
            // nothing to read; wait for the end of input
        }
        server.stop();
    }
}
