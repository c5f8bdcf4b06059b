"""Regenerate locked.doc and locked.odt: a one-line report title saved by LibreOffice with the
password "secret". Run with the system Python that has LibreOffice's UNO bridge (python3-uno):
/usr/bin/python3 tests/data/office/make_locked.py"""

import subprocess
import tempfile
import time
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException
from com.sun.star.lang import DisposedException

HERE = Path(__file__).resolve().parent


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


with tempfile.TemporaryDirectory() as profile:
    office = subprocess.Popen(
        [
            "soffice",
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--accept=pipe,name=nianbao_locked;urp;",
        ]
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            context = resolver.resolve("uno:pipe,name=nianbao_locked;urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            time.sleep(0.5)
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    document = desktop.loadComponentFromURL("private:factory/swriter", "_blank", 0, (prop("Hidden", True),))
    document.getText().setString("夏县人民政府办公室2024年政府信息公开工作年度报告")
    for name, filter_name in (("locked.doc", "MS Word 97"), ("locked.odt", "writer8")):
        target = (HERE / name).as_uri()
        document.storeToURL(target, (prop("FilterName", filter_name), prop("Password", "secret")))
    document.close(True)
    try:
        desktop.terminate()
    except DisposedException:  # the office is gone before it answers: that is the aim
        pass
    office.wait(timeout=60)
