"""The load run's keyworkers (`python manage.py bench --part load` starts locust on this file): each signs in
through the sign-in form as one of the prepared keyworkers, then browses their own caseload as a keyworker does
between contacts: the caseload, an episode, the person, the plan, their tasks, with a pause to read each page.

Signing in (a deliberately slow password hash each) is not what the run measures: the statistics are reset when
the last keyworker has signed in, and the run ends `BENCH_SECONDS` after that."""

import itertools
import json
import os
import random
import re
import threading

import gevent
from locust import HttpUser, between, task

with open(os.environ["BENCH_LOAD_USERS"]) as _file:
    _PREPARED = json.load(_file)
_NEXT = itertools.cycle(_PREPARED["usernames"])
_LOCK = threading.Lock()
_SIGNED_IN = itertools.count(1)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
EPISODE = re.compile(r'href="/referrals/episodes/(\d+)/"')
PERSON = re.compile(r'href="(/referrals/people/\d+/)"')


class Keyworker(HttpUser):
    wait_time = between(float(os.environ.get("BENCH_THINK_MIN", "1")), float(os.environ.get("BENCH_THINK_MAX", "2")))

    def on_start(self):
        with _LOCK:
            username = next(_NEXT)
        page = self.client.get("/sign-in/", name="sign-in form")
        token = CSRF.search(page.text).group(1)
        answer = self.client.post(
            "/sign-in/",
            {"username": username, "password": _PREPARED["password"], "csrfmiddlewaretoken": token},
            name="sign in",
            allow_redirects=False,
        )
        if answer.status_code != 302:
            raise RuntimeError(f"{username} could not sign in: {answer.status_code}")
        self.episodes = EPISODE.findall(self.client.get("/referrals/caseload/", name="My caseload").text)
        with _LOCK:
            everyone_in = next(_SIGNED_IN) == self.environment.parsed_options.num_users
        if everyone_in:
            self.environment.stats.reset_all()
            gevent.spawn_later(float(os.environ["BENCH_SECONDS"]), self.environment.runner.quit)

    def _episode(self):
        return random.choice(self.episodes) if self.episodes else None

    @task(3)
    def caseload(self):
        self.episodes = EPISODE.findall(self.client.get("/referrals/caseload/", name="My caseload").text) or []

    @task(4)
    def episode_and_person(self):
        episode = self._episode()
        if episode is None:
            return
        page = self.client.get(f"/referrals/episodes/{episode}/", name="Episode")
        person = PERSON.search(page.text)
        if person:
            self.client.get(person.group(1), name="Person")
        self.client.get(f"/recovery-plans/episodes/{episode}/plan/", name="Plan")

    @task(1)
    def my_tasks(self):
        self.client.get("/referrals/tasks/", name="My tasks")
