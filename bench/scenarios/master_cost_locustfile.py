# Master-cost benchmark (bench/master_cost.sh): the Locust master's locustfile. The master only
# needs the user class names and weights; its workers are simulated (bench/sim_workers.cc), so
# the task never runs.
from locust import User, constant, task


class SimUser(User):
    wait_time = constant(1)

    @task
    def nothing(self):
        pass
