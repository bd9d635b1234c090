package io.github.keepaliveagent.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What loading the agent did: for the attach command's report and the agent properties. */
public final class Outcome {

    /** What became of the agent. */
    public enum State {
        INSTALLED, UPDATED, OFF, NOT_LOADED
    }

    public final State state;
    /** The settings applied, or why nothing was. */
    public final String summary;
    /** Errors, warnings and the retrofit's result, one line each, e.g. "warning: ...". */
    public final List<String> details;

    Outcome(State state, String summary, List<String> details) {
        this.state = state;
        this.summary = summary;
        this.details = Collections.unmodifiableList(new ArrayList<>(details));
    }

    /** "installed: SO_KEEPALIVE on, ..." then one line per detail. */
    public String text() {
        StringBuilder text = new StringBuilder(state.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '))
                .append(": ").append(summary);
        for (String detail : details) {
            text.append('\n').append(detail);
        }
        return text.toString();
    }
}
