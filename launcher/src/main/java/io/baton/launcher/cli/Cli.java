package io.baton.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The operators' commands: {@code ./baton upgrade start|list|status|watch|approve|abort}, {@code ./baton
 * deployments} and {@code ./baton completion}. They talk to a running Baton's REST API (BATON_URL, BATON_CLOUD_URL)
 * with the token in BATON_TOKEN. {@code watch} and {@code start --watch} exit with a code per outcome, for pipelines.
 */
@Command(
        name = "baton",
        mixinStandardHelpOptions = true,
        version = "baton 0.1.0",
        description = "Zero-downtime upgrades of server fleets, choreographed over Kafka.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done (watch: the upgrade COMPLETED)",
            "1:Baton refused or could not be reached (the reason is on standard error)",
            "2:the command line is wrong",
            "3:the upgrade ROLLED_BACK",
            "4:the upgrade FAILED (an operator must look)",
            "5:the upgrade waits for approval (watch --until-approval)",
            "6:watch --timeout passed first"
        },
        subcommands = {Cli.Upgrade.class, Cli.Deployments.class, Cli.Completion.class})
public final class Cli {

    public static final int OK = 0;
    public static final int ERROR = 1;
    public static final int USAGE = 2;
    public static final int ROLLED_BACK = 3;
    public static final int FAILED = 4;
    public static final int AWAITING_APPROVAL = 5;
    public static final int TIMED_OUT = 6;

    /** The commands {@code Main} runs itself, listed here so that shell completion offers them too. */
    private static final Map<String, List<String>> LAUNCHER_COMMANDS = Map.of(
            "demo", List.of("--real", "--exit"),
            "up", List.of("--exit"),
            "bench", List.of("db", "app", "saga", "faults", "--runs", "--engine"),
            "token", List.of("--role", "--name", "--ttl"),
            "watch", List.of(),
            "manifests", List.of());

    @Spec
    CommandSpec spec;

    final Map<String, String> env;

    private Cli(Map<String, String> env) {
        this.env = env;
    }

    /** Whether {@code command} is one of these (the others are the launcher's own). */
    public static boolean handles(String command) {
        return List.of("upgrade", "deployments", "completion", "--help", "-h", "--version", "-V")
                .contains(command);
    }

    /** Runs a command line; returns its exit code. */
    public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        CommandLine cli = commandLine(env);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof Api.Refused refused) {
                line.getErr().println("baton: " + refused.getMessage());
                return ERROR;
            }
            throw e;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    static CommandLine commandLine(Map<String, String> env) {
        CommandLine cli = new CommandLine(new Cli(env));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        LAUNCHER_COMMANDS.forEach((name, options) -> {
            CommandSpec sub = CommandSpec.create().name(name);
            sub.usageMessage().description("see ./baton help");
            for (String o : options) {
                if (o.startsWith("--")) {
                    sub.addOption(OptionSpec.builder(o).arity("0..1").build());
                }
            }
            sub.addPositional(PositionalParamSpec.builder().arity("0..*").build());
            cli.addSubcommand(name, new CommandLine(sub));
        });
        return cli;
    }

    @Command(
            name = "upgrade",
            description = "Start, list, follow, approve and abort upgrades.",
            subcommands = {Start.class, ListUpgrades.class, Status.class, Watch.class, Approve.class, Abort.class})
    static final class Upgrade {
        @ParentCommand
        Cli cli;

        Api api() throws Api.Refused {
            return Api.fromEnvironment(cli.env);
        }
    }

    @Command(
            name = "start",
            description = {
                "Plans an upgrade and starts it; prints its id and plan.",
                "Give the request as the API takes it (a file, or - for standard input), or build a database"
                        + " upgrade from --deployment and --change."
            })
    static final class Start implements Callable<Integer> {
        @ParentCommand
        Upgrade upgrade;

        @Spec
        CommandSpec spec;

        @Parameters(arity = "0..1", paramLabel = "REQUEST", description = "a JSON file with the request, or -")
        Path file;

        @Option(names = "--deployment", description = "the deployment to upgrade")
        String deployment;

        @Option(names = "--kind", description = "database (default) or application")
        String kind = "database";

        @Option(names = "--change", description = "the fields to change, as JSON: {\"instanceSize\": \"large\"}")
        String change;

        @Option(names = "--approval-required", description = "wait for approve before the old servers go")
        boolean approval;

        @Option(names = "--dry-run", description = "print the plan; start nothing")
        boolean dryRun;

        @Option(names = "--watch", description = "then follow it to its end, exiting with its outcome's code")
        boolean watch;

        @Option(names = "--timeout", description = "with --watch: give up after this long (ISO-8601, default PT2H)")
        Duration timeout = Duration.ofHours(2);

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            String body;
            if (file != null) {
                if (deployment != null || change != null) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(), "give either a request file or --deployment/--change, not both");
                }
                body = file.toString().equals("-")
                        ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                        : read(spec, file);
            } else {
                if (deployment == null || change == null) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            "give a request file, or --deployment and --change (a database upgrade)");
                }
                ObjectNode request = Api.JSON.createObjectNode();
                request.put("deployment", deployment);
                request.put("kind", kind);
                try {
                    request.set("change", Api.JSON.readTree(change));
                } catch (IOException e) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            "--change is not JSON: "
                                    + e.getMessage().lines().findFirst().orElse(""));
                }
                if (approval) {
                    request.put("approvalRequired", true);
                }
                body = request.toString();
            }
            Api api = upgrade.api();
            JsonNode plan = api.post(api.upgrades() + (dryRun ? "?dryRun=true" : ""), body);
            out.printf(
                    "%s %s upgrade of %s: %s%n",
                    dryRun ? "would run a" : "started " + plan.path("id").asText() + ", a",
                    plan.path("classification").asText("?"),
                    plan.path("deployment").asText(deployment),
                    plan.path("reason").asText(""));
            for (JsonNode step : plan.path("plan")) {
                out.printf(
                        "  %2d. %-24s %-7s %s%s%n",
                        step.path("index").asInt() + 1,
                        step.path("name").asText(),
                        step.path("owner").asText().toLowerCase(Locale.ROOT),
                        step.path("action").asText(""),
                        step.path("pivot").asBoolean() ? "  (cannot be undone)" : "");
            }
            out.flush();
            if (!watch || dryRun) {
                return OK;
            }
            return follow(api, plan.path("id").asText(), out, timeout, false);
        }
    }

    @Command(name = "list", description = "Lists upgrades, newest first.")
    static final class ListUpgrades implements Callable<Integer> {
        @ParentCommand
        Upgrade upgrade;

        @Spec
        CommandSpec spec;

        @Option(names = "--deployment", description = "only this deployment's")
        String deployment;

        @Option(names = "--state", description = "only in this state (running, completed, rolled_back, ...)")
        String state;

        @Option(names = "--limit", description = "how many per page (1 to 200, default 50)")
        Integer limit;

        @Option(names = "--all", description = "every page, not only the first")
        boolean all;

        @Option(names = "--cursor", description = "start at this page (as the previous list said)")
        String cursor;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Api api = upgrade.api();
            StringBuilder url = new StringBuilder(api.upgrades()).append("?");
            param(url, "deployment", deployment);
            param(url, "state", state);
            param(url, "limit", limit == null ? null : limit.toString());
            param(url, "cursor", cursor);
            String next = url.toString();
            boolean header = true;
            while (next != null) {
                Api.Page page = api.page(next);
                if (header) {
                    out.printf(
                            "%-36s  %-20s  %-11s  %-19s  %-24s  %s%n",
                            "ID", "DEPLOYMENT", "KIND", "STATE", "CREATED", "BY");
                    header = false;
                }
                for (JsonNode u : page.items()) {
                    out.printf(
                            "%-36s  %-20s  %-11s  %-19s  %-24s  %s%n",
                            u.path("id").asText(),
                            u.path("deployment").asText(),
                            u.path("kind").asText().toLowerCase(Locale.ROOT),
                            u.path("state").asText(),
                            u.path("createdAt").asText(),
                            u.path("requestedBy").asText(""));
                }
                next = page.next();
                if (next != null && !all) {
                    String c = next.replaceAll(".*[?&]cursor=([^&]*).*", "$1");
                    StringBuilder again = new StringBuilder("./baton upgrade list");
                    if (deployment != null) {
                        again.append(" --deployment ").append(deployment);
                    }
                    if (state != null) {
                        again.append(" --state ").append(state);
                    }
                    if (limit != null) {
                        again.append(" --limit ").append(limit);
                    }
                    out.println("more: " + again + " --cursor " + c + " (or --all)");
                    break;
                }
            }
            out.flush();
            return OK;
        }
    }

    /** A command about one upgrade, named by its id. */
    abstract static class OnUpgrade implements Callable<Integer> {
        @ParentCommand
        Upgrade upgrade;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID")
        String id;

        Api api() throws Api.Refused {
            return upgrade.api();
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        /** The upgrade's address, with {@code action} after it when not null. */
        String url(Api api, String action) {
            return api.upgrades() + "/" + segment(id) + (action == null ? "" : "/" + action);
        }
    }

    @Command(name = "status", description = "Prints an upgrade's state and timeline.")
    static final class Status extends OnUpgrade {

        @Option(names = "--json", description = "the API's answer as it is")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = out();
            Api api = api();
            JsonNode u = api.get(url(api, null));
            if (json) {
                out.println(Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(u));
            } else {
                new Progress(out).show(u);
            }
            out.flush();
            return OK;
        }
    }

    @Command(
            name = "watch",
            description = {
                "Follows an upgrade until it ends: each step, its duration, compensations, the switchover's proof.",
                "Exits 0 when it COMPLETED, 3 ROLLED_BACK, 4 FAILED (see ./baton --help)."
            })
    static final class Watch extends OnUpgrade {

        @Option(names = "--until-approval", description = "also stop (exit 5) when it waits for approval")
        boolean untilApproval;

        @Option(names = "--timeout", description = "give up after this long (ISO-8601, default PT2H): exit 6")
        Duration timeout = Duration.ofHours(2);

        @Override
        public Integer call() throws Exception {
            return follow(api(), id, out(), timeout, untilApproval);
        }
    }

    @Command(name = "approve", description = "Lets an upgrade that waits for approval go on.")
    static final class Approve extends OnUpgrade {

        @Override
        public Integer call() throws Exception {
            JsonNode u = upgrade.api().post(upgrade.api().upgrades() + "/" + segment(id) + "/approve", null);
            spec.commandLine()
                    .getOut()
                    .printf(
                            "%s: %s, approved by %s%n",
                            id, u.path("state").asText(), u.path("approvedBy").asText());
            spec.commandLine().getOut().flush();
            return OK;
        }
    }

    @Command(name = "abort", description = "Rolls an upgrade back: every completed step is undone, newest first.")
    static final class Abort extends OnUpgrade {

        @Option(names = "--watch", description = "then follow the rollback to its end")
        boolean watch;

        @Override
        public Integer call() throws Exception {
            Api api = api();
            JsonNode u = api.post(url(api, "abort"), null);
            PrintWriter out = out();
            out.printf(
                    "%s: %s; the rollback follows on its timeline%n",
                    id, u.path("state").asText());
            out.flush();
            return watch ? follow(api, id, out, Duration.ofHours(2), false) : OK;
        }
    }

    @Command(name = "deployments", description = "Lists the registered deployments, or shows one's servers.")
    static final class Deployments implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Spec
        CommandSpec spec;

        @Parameters(arity = "0..1", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Api api = Api.fromEnvironment(cli.env);
            if (name == null) {
                for (JsonNode n : api.get(api.deployments())) {
                    out.println(n.asText());
                }
            } else {
                JsonNode d = api.get(api.deployments() + "/" + segment(name));
                out.printf(
                        "%-10s  %-8s  %-11s  %-22s  %-10s  %s%n",
                        "NAME", "ROLE", "STATE", "ADDRESS", "SIZE", "TEMPLATE");
                for (JsonNode s : d.path("servers")) {
                    out.printf(
                            "%-10s  %-8s  %-11s  %-22s  %-10s  %s r%s%n",
                            s.path("name").asText(),
                            s.path("role").asText(),
                            s.path("state").asText(),
                            s.path("address").asText(""),
                            s.path("config").path("instanceSize").asText(""),
                            s.path("config").path("serverTemplate").asText(""),
                            s.path("config").path("templateRevision").asText(""));
                }
            }
            out.flush();
            return OK;
        }
    }

    @Command(
            name = "completion",
            description = {
                "Prints a bash/zsh completion script for ./baton.",
                "Load it with: source <(./baton completion)"
            })
    static final class Completion implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String script = AutoComplete.bash("baton", commandLine(cli.env));
            PrintWriter out = spec.commandLine().getOut();
            out.print(script);
            // the script completes `baton`; the checkout runs it as ./baton
            out.println("complete -F _complete_baton -o default ./baton");
            out.flush();
            return OK;
        }
    }

    /** Reads the upgrade until it ends (or waits for approval, when asked); returns the outcome's exit code. */
    static int follow(Api api, String id, PrintWriter out, Duration timeout, boolean untilApproval)
            throws Api.Refused, InterruptedException {
        Progress progress = new Progress(out);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode u = api.get(api.upgrades() + "/" + segment(id));
            progress.show(u);
            switch (u.path("state").asText()) {
                case "COMPLETED" -> {
                    return OK;
                }
                case "ROLLED_BACK" -> {
                    return ROLLED_BACK;
                }
                case "FAILED" -> {
                    return FAILED;
                }
                case "AWAITING_APPROVAL" -> {
                    if (untilApproval) {
                        return AWAITING_APPROVAL;
                    }
                }
                default -> {}
            }
            if (System.nanoTime() > deadline) {
                out.println("still " + u.path("state").asText() + " after " + timeout + "; it goes on without me");
                out.flush();
                return TIMED_OUT;
            }
            Thread.sleep(500);
        }
    }

    private static String read(CommandSpec spec, Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + file + ": " + e);
        }
    }

    private static void param(StringBuilder url, String name, String value) {
        if (value != null) {
            url.append(url.charAt(url.length() - 1) == '?' ? "" : "&")
                    .append(name)
                    .append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }

    /** An id or a name as one path segment, whatever it holds. */
    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
