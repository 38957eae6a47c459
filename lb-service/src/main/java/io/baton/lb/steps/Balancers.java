package io.baton.lb.steps;

import io.baton.lb.balancer.LoadBalancer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/** The load balancer driver chosen by {@code baton.lb.driver}. */
@ApplicationScoped
public class Balancers {

    private final Instance<LoadBalancer> balancers;

    public Balancers(Instance<LoadBalancer> balancers) {
        this.balancers = balancers;
    }

    public LoadBalancer current() {
        return balancers.get();
    }
}
