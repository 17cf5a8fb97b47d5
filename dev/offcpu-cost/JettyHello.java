import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Jetty 12 answering "hello" on the given port until killed. Prints JETTY-READY when listening. */
public final class JettyHello {
    public static void main(String[] args) throws Exception {
        Server server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setPort(Integer.parseInt(args[0]));
        server.addConnector(c);
        ByteBuffer hello = ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII));
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.write(true, hello.slice(), callback);
                return true;
            }
        });
        server.start();
        System.out.println("JETTY-READY");
        server.join();
    }
}
