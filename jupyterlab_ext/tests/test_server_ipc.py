"""IPC mode of the launcher: the socket paths it reports are the ones OpenHCS uses."""

from __future__ import annotations

from openhcs.runtime.zmq_config import OPENHCS_ZMQ_CONFIG
from zmqruntime.transport import get_ipc_socket_path

from openhcs_remote.server.execution_server import ExecutionEndpoint
from openhcs_remote.server.ports import ipc_socket_path


def test_the_ipc_socket_paths_are_the_installed_openhcs_ones():
    for port in (7777, 8777, 40123):
        assert ipc_socket_path(port) == get_ipc_socket_path(port, OPENHCS_ZMQ_CONFIG)


def test_an_ipc_endpoint_names_its_sockets_and_a_tcp_one_its_host():
    ipc = ExecutionEndpoint("127.0.0.1", 7777, "ipc")
    assert ipc.control_address == f"ipc://{get_ipc_socket_path(8777, OPENHCS_ZMQ_CONFIG)}"
    assert ipc.data_address == f"ipc://{get_ipc_socket_path(7777, OPENHCS_ZMQ_CONFIG)}"
    tcp = ExecutionEndpoint("127.0.0.1", 7777)
    assert (tcp.data_address, tcp.control_address) == (
        "tcp://127.0.0.1:7777",
        "tcp://127.0.0.1:8777",
    )
