/*
 * How long pf states live and why they end: associative arrays keyed by
 * state id, if/else, strjoin, and a histogram per protocol at exit.
 */
#pragma D option quiet

dtrace:::BEGIN
{
	printf("%-5s %-36s %-8s %8s\n", "PROTO", "STATE", "REASON", "LIFETIME");
}

pf:::state-create
{
	start[args[0]->id] = timestamp;
}

pf:::state-destroy
/ start[args[0]->id] /
{
	this->ms = (timestamp - start[args[0]->id]) / 1000000;
	this->conn = strjoin(args[0]->src_ip, args[0]->direction == PF_OUT ? " -> " : " <- ");
	this->conn = strjoin(this->conn, args[0]->dst_ip);
	if (this->ms >= 60000)
		printf("%-5s %-36s %-8s %7dm\n", args[0]->proto_str, this->conn,
		    args[0]->reason_str, this->ms / 60000);
	else
		printf("%-5s %-36s %-8s %6dms\n", args[0]->proto_str, this->conn,
		    args[0]->reason_str, this->ms);
	@life[args[0]->proto_str] = quantize(this->ms / 1000);
	start[args[0]->id] = 0;
}

