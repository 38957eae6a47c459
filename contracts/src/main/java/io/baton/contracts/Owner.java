package io.baton.contracts;

/** A service that owns saga steps and publishes to its own topic. */
public enum Owner {
    PLANNER("planner"),
    CLOUD("cloud"),
    DB("db"),
    LB("lb");

    private final String code;

    Owner(String code) {
        this.code = code;
    }

    /** Short name used in topic names, CloudEvents types and sources. */
    public String code() {
        return code;
    }

    /** The topic this service publishes its events to. */
    public String topic() {
        return "baton." + code + ".events";
    }

    /** The topic that receives records this service could not process. */
    public String deadLetterTopic() {
        return "baton." + code + ".dead-letter";
    }

    /** The CloudEvents source attribute of events published by this service. */
    public String source() {
        return "/baton/" + code + "-service";
    }
}
