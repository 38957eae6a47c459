package io.baton.cloud.steps;

import io.baton.cloud.fleet.Deployments;
import io.baton.cloud.provider.Providers;
import io.baton.contracts.StepName;
import io.baton.contracts.facts.DatabaseFacts.FirewallVerified;
import io.baton.contracts.facts.DatabaseFacts.SlaveCreated;
import io.baton.contracts.fleet.DeploymentView;
import io.baton.contracts.fleet.Engine;
import io.baton.contracts.fleet.FirewallRule;
import io.baton.contracts.fleet.Role;
import io.baton.contracts.fleet.ServerView;
import io.baton.saga.StepContext;
import io.baton.saga.StepFailedException;
import io.baton.saga.StepHandler;
import io.baton.saga.StepResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/** Before promotion: the new server's security groups must accept the application tier on the database port. */
@ApplicationScoped
public class CheckFirewallStep implements StepHandler {

    static final String ANYWHERE = "0.0.0.0/0";

    private final Deployments deployments;
    private final Providers providers;

    public CheckFirewallStep(Deployments deployments, Providers providers) {
        this.deployments = deployments;
        this.providers = providers;
    }

    @Override
    public StepName step() {
        return StepName.CHECK_FIREWALL;
    }

    @Override
    public StepResult execute(StepContext context) throws StepFailedException {
        DeploymentView deployment = deployments
                .deployment(context.deployment())
                .orElseThrow(() -> new StepFailedException("deployment " + context.deployment() + " is gone"));
        ServerView candidate = deployment
                .server(context.facts(SlaveCreated.class).candidateId())
                .orElseThrow(() -> new StepFailedException("the new server is no longer in the inventory"));
        int port = Engine.of(candidate.config().engine()).port();
        List<String> groups = candidate.config().securityGroups() == null
                ? List.of()
                : candidate.config().securityGroups();
        Optional<List<FirewallRule>> cloudRules;
        try {
            cloudRules = providers.current().firewallRules(groups, port);
        } catch (Exception e) {
            throw new StepFailedException(
                    "the cloud's security groups " + groups + " cannot be read: " + e.getMessage());
        }
        return StepResult.done(
                new FirewallVerified(check(deployment, candidate, cloudRules.orElse(deployment.firewallRules()))
                        + (cloudRules.isPresent() ? " (the cloud's ingress rules)" : "")));
    }

    /** The same with the rules registered with the deployment. */
    static String check(DeploymentView deployment, ServerView candidate) throws StepFailedException {
        return check(deployment, candidate, deployment.firewallRules());
    }

    /** Whether {@code rules} admit every security group of the running application servers into the candidate's. */
    static String check(DeploymentView deployment, ServerView candidate, List<FirewallRule> rules)
            throws StepFailedException {
        int port = Engine.of(candidate.config().engine()).port();
        TreeSet<String> appGroups = new TreeSet<>();
        for (ServerView app : deployment.running(Role.APP)) {
            appGroups.addAll(
                    app.config().securityGroups() == null
                            ? List.of()
                            : app.config().securityGroups());
        }
        if (appGroups.isEmpty()) {
            return "no application servers to admit";
        }
        List<String> groups = candidate.config().securityGroups() == null
                ? List.of()
                : candidate.config().securityGroups();
        TreeSet<String> refused = new TreeSet<>();
        for (String appGroup : appGroups) {
            boolean admitted = rules.stream().anyMatch(rule -> admits(rule, groups, port, appGroup));
            if (!admitted) {
                refused.add(appGroup);
            }
        }
        if (!refused.isEmpty()) {
            throw new StepFailedException("the security groups " + groups + " of " + candidate.name()
                    + " do not accept " + refused + " on port " + port
                    + "; add a rule for them or choose a security group that has one");
        }
        return "security groups " + groups + " accept " + appGroups + " on port " + port;
    }

    private static boolean admits(FirewallRule rule, List<String> groups, int port, String source) {
        return groups.contains(rule.securityGroup())
                && rule.port() == port
                && (rule.source().equals(source) || rule.source().equals(ANYWHERE));
    }
}
