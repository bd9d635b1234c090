package io.github.keepaliveagent.hook;

/**
 * Methods shaped to test the rewriter's relocation: the hooks match them by name and descriptor, like the
 * JDK's own (setKeepAlive(Z)V, a constructor, newSocketStream0(Z)I). A loop back to a method's first
 * instruction, switches whose padding depends on their offset, handlers that start at the first
 * instruction, returns inside try blocks and switches, branches to returns.
 */
@SuppressWarnings("unused")
final class Fixture {

    private int state;

    Fixture() {
        this(0);
    }

    Fixture(int state) {
        if (state < 0) {
            return;
        }
        switch (state) {
            case 1:
                this.state = 11;
                return;
            case 2:
                this.state = 22;
                break;
            default:
                this.state = state;
        }
    }

    Fixture(String name) {
        try {
            state = Integer.parseInt(name);
        } catch (NumberFormatException e) {
            state = -1;
        }
    }

    public void setKeepAlive(boolean on) {
        do {
            state++;
            if (state > 1000) {
                on = !on;
            }
        } while (on && state % 7 != 0);
        switch (state & 3) {
            case 0: state = 1; break;
            case 1: state = 2; break;
            case 2: state = 3; break;
            default: state = 4;
        }
        switch (state) {
            case 10: state = 1; break;
            case 1000: state = 2; break;
            default: state = 0;
        }
    }

    public void setIntOpt(int level, int option, int value) {
        try {
            state = level / option + value;
        } catch (ArithmeticException e) {
            state = 0;
        }
    }

    static int newSocketStream0(boolean ipv6) {
        for (int i = 0; i < 3; i++) {
            if (ipv6 && i == 1) {
                return i;
            }
        }
        try {
            return ipv6 ? 6 : 4;
        } finally {
            System.nanoTime();
        }
    }
}
