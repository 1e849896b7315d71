// Each fixture is a whole cluster (PostgreSQL, an object store, Prosody, three nodes, haproxy); two of them at once on
// a small CI machine would measure the machine, and the balancer's per-node counts read by a test must come from that
// test's requests alone.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
