/**
 * lb-service: owns the load-balancer steps of the application runbook (attach health-checked, drain, wait for
 * sessions to reach zero, detach, smoke test), behind the {@code LoadBalancer} interface. The database runbook has
 * no load-balancer step: for it, lb-service follows every saga through the shared engine without acting.
 */
package io.baton.lb;
