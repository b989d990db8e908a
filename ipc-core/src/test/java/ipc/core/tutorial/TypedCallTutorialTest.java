package ipc.core.tutorial;

import ipc.core.MessageObject;
import ipc.core.MessageProcess;
import ipc.core.RemoteException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's typed example, as an outside program writes it (this package is not ipc.core):
 * a process class implementing a public interface, called through {@code remote()}, and the
 * backend calling the frontend through {@code frontend__} and {@code Pipe.dispatch}.
 */
@Timeout(90)
public class TypedCallTutorialTest {

    public interface Pricer {
        double price(long instrument, int qty);

        void tick(long instrument, double px);
    }

    public interface Fills {
        void onFill(long instrument, int qty, double px);
    }

    public static class PricerProcess extends MessageProcess implements Pricer {
        private transient double last;

        public PricerProcess(String name) {
            super(name);
        }

        @Override
        public double price(long instrument, int qty) {
            if (qty < 0) {
                throw new IllegalArgumentException("negative quantity: " + qty);
            }
            return last * qty;
        }

        @Override
        public void tick(long instrument, double px) {
            last = px;
        }

        void c__fill(long instrument, int qty) {
            frontend__(Fills.class).onFill(instrument, qty, last);
        }
    }

    static final class FillBook {
        long filled;
        double lastPx;

        void onFill(long instrument, int qty, double px) {
            filled += qty;
            lastPx = px;
        }
    }

    @Test
    void readmeExample() {
        try (PricerProcess p = new PricerProcess("pricer")) {
            p.start();
            Pricer pricer = p.remote(Pricer.class);
            pricer.tick(42, 101.5);
            assertEquals(10150.0, pricer.price(42, 100));
            RemoteException e = assertThrows(RemoteException.class, () -> pricer.price(42, -1));
            assertEquals(IllegalArgumentException.class.getName(), e.remoteClass());
            assertTrue(e.getMessage().contains("negative quantity: -1"), e.getMessage());

            FillBook book = new FillBook();
            p.sendMessageToBack(new MessageObject("fill", "instrument", 42L, "qty", 7));
            assertTrue(p.getPipe().dispatch(book, Duration.ofSeconds(20)));
            assertEquals(7, book.filled);
            assertEquals(101.5, book.lastPx);
            p.stop();
        }
    }
}
