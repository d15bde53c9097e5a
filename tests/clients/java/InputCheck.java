import io.imbridge.client.ImbridgeClient;
import io.imbridge.client.ImbridgeException;
import io.imbridge.client.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Java client's refusals of bad input, before anything is sent (args: a server URL, a key): a key with a line
 * break, ids that would leave their route. Prints what each call raised (type and message) as JSON.
 */
public class InputCheck {
    public static void main(String[] args) {
        Map<String, Object> seen = new LinkedHashMap<>();
        seen.put("newlineKey", raised(() -> new ImbridgeClient(args[0], args[1] + "\n").get("n1")));
        seen.put("nullKey", raised(() -> new ImbridgeClient(args[0], null).get("n1")));
        ImbridgeClient imbridge = new ImbridgeClient(args[0], args[1]);
        seen.put("dotDot", raised(() -> imbridge.get("..")));
        seen.put("traversal", raised(() -> imbridge.get("../apikeys")));
        seen.put("recall", raised(() -> imbridge.recall("x/../../apikeys")));
        System.out.println(Json.write(seen));
    }

    private static String raised(Runnable call) {
        try {
            call.run();
            return "nothing";
        } catch (ImbridgeException e) {
            return "ImbridgeException " + e.status();
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
